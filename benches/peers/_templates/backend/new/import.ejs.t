---
inject: true
to: cmd/litestream/main.go
after: '"github.com/benbjohnson/litestream/file"'
skip_if: '"github.com/benbjohnson/litestream/<%= name %>"'
---
	"github.com/benbjohnson/litestream/<%= name %>"