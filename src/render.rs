//! Templates, embedded in the binary and rendered with Tera.

use std::cell::RefCell;

use anyhow::{Context as _, Result};
use serde::Serialize;
use tera::{Context, Tera};

/// Every built-in template, by name (its path under `templates/`).
const TEMPLATES: &[(&str, &str)] = &[
    ("litestream/replica_client.go", include_str!("../templates/litestream/replica_client.go.tera")),
    ("litestream/storage.go", include_str!("../templates/litestream/storage.go.tera")),
    ("litestream/replica_client_test.go", include_str!("../templates/litestream/replica_client_test.go.tera")),
    ("litestream/config_test.go", include_str!("../templates/litestream/config_test.go.tera")),
    ("litestream/main_case.go", include_str!("../templates/litestream/main_case.go.tera")),
    ("litestream/main_constructor.go", include_str!("../templates/litestream/main_constructor.go.tera")),
    ("litestream/main_settings.go", include_str!("../templates/litestream/main_settings.go.tera")),
    ("litestream/main_defaults.go", include_str!("../templates/litestream/main_defaults.go.tera")),
    ("litestream/testingutil_flags.go", include_str!("../templates/litestream/testingutil_flags.go.tera")),
    ("litestream/testingutil_case.go", include_str!("../templates/litestream/testingutil_case.go.tera")),
    ("litestream/testingutil_constructor.go", include_str!("../templates/litestream/testingutil_constructor.go.tera")),
    ("litestream/replicate_case.go", include_str!("../templates/litestream/replicate_case.go.tera")),
    ("litestream/readme.md", include_str!("../templates/litestream/readme.md.tera")),
    ("litestream/litestream.yml", include_str!("../templates/litestream/litestream.yml.tera")),
];

/// Renders templates, compiling each on first use: a run compiles only
/// the templates its checkout needs (compiling is most of the cost).
pub struct Renderer {
    tera: RefCell<Tera>,
    context: Context,
}

impl Renderer {
    /// Prepares the built-in templates with `vars` as their context.
    pub fn new(vars: &impl Serialize) -> Result<Renderer> {
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        let context = Context::from_serialize(vars).context("template variables")?;
        Ok(Renderer { tera: RefCell::new(tera), context })
    }

    pub fn render(&self, name: &str) -> Result<String> {
        let mut tera = self.tera.borrow_mut();
        if !tera.contains_template(name) {
            let (_, source) =
                TEMPLATES.iter().find(|(n, _)| *n == name).with_context(|| format!("no template named {name}"))?;
            tera.add_raw_template(name, source).with_context(|| format!("template {name} does not parse"))?;
        }
        tera.render(name, &self.context).with_context(|| format!("template {name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_parses() {
        for (name, source) in TEMPLATES {
            Tera::new().add_raw_template(name, source).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        }
    }
}
