---
inject: true
to: README.md
before: '<!-- add-backend insert -->'
skip_if: '### <%= h.changeCase.upper(name) %>'
---
### <%= h.changeCase.upper(name) %>

```yaml
dbs:
  - path: /var/lib/db
    replica:
      type: <%= name %>
      path: /backups/db
```