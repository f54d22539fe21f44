---
inject: true
to: cmd/litestream/main.go
before: '// ReplicaType returns the type from the type field'
skip_if: 'func new<%= h.changeCase.upper(name) %>ReplicaClientFromConfig'
---
// new<%= h.changeCase.upper(name) %>ReplicaClientFromConfig returns a new instance of <%= name %>.ReplicaClient built from config.
func new<%= h.changeCase.upper(name) %>ReplicaClientFromConfig(c *ReplicaConfig, _ *litestream.Replica) (_ *<%= name %>.ReplicaClient, err error) {
	client := <%= name %>.NewReplicaClient()
	client.Host = c.Host
	client.Path = c.Path
	return client, nil
}
