// The Plop generator of the benchmark: the same job as the Hygen one, read
// from the same templates (_templates/backend/new/*.ejs.t) so the two peers
// write the same files and injections: each template's front matter becomes
// a Plop action (`add`, or `modify` before/after a pattern), its body a
// Handlebars template.
const fs = require("fs");
const path = require("path");

const dir = path.join(__dirname, "_templates", "backend", "new");

function parse(file) {
  const text = fs.readFileSync(path.join(dir, file), "utf8");
  const [, head, body] = text.match(/^---\n([\s\S]*?)\n---\n([\s\S]*)$/);
  const meta = {};
  for (const line of head.split("\n")) {
    const at = line.indexOf(": ");
    meta[line.slice(0, at)] = line.slice(at + 2).replace(/^'(.*)'$/, "$1");
  }
  const hbs = (s) =>
    s.replace(/<%= h\.changeCase\.upper\(name\) %>/g, "{{{upperCase name}}}").replace(/<%= name %>/g, "{{{name}}}");
  return { meta: Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, hbs(v)])), body: hbs(body) };
}

module.exports = function (plop) {
  const actions = fs
    .readdirSync(dir)
    .sort()
    .map(parse)
    .map(({ meta, body }) => {
      if (meta.inject !== "true") {
        return { type: "add", path: meta.to, template: body, skipIfExists: true };
      }
      const pattern = meta.after ? new RegExp(meta.after + ".*\\n") : new RegExp("[^\\n]*" + meta.before);
      return {
        type: "modify",
        path: meta.to,
        pattern,
        template: meta.after ? "$&" + body + "\n" : body + "\n" + "$&",
        skip: (data) => {
          const skipIf = plop.renderString(meta.skip_if, data);
          const text = fs.readFileSync(path.join(plop.getDestBasePath(), plop.renderString(meta.to, data)), "utf8");
          return new RegExp(skipIf).test(text) ? "already there" : undefined;
        },
      };
    });
  plop.setGenerator("backend", {
    description: "a Litestream replica backend (the benchmark's reduced job)",
    prompts: [{ type: "input", name: "name", message: "backend name" }],
    actions,
  });
};
