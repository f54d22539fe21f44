---
to: <%= name %>/replica_client_test.go
---
package <%= name %>_test

import (
	"testing"

	"github.com/benbjohnson/litestream/<%= name %>"
)

func TestReplicaClient_Type(t *testing.T) {
	if got := <%= name %>.NewReplicaClient().Type(); got != "<%= name %>" {
		t.Fatalf("Type() = %q", got)
	}
}
