---
inject: true
to: cmd/litestream/main.go
before: 'default:\n\t\treturn nil, fmt.Errorf\("unknown replica type in config'
skip_if: 'case "<%= name %>":'
---
	case "<%= name %>":
		if r.Client, err = new<%= h.changeCase.upper(name) %>ReplicaClientFromConfig(c, r); err != nil {
			return nil, err
		}