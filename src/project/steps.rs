//! A profile's files and patches, run against the checkout: each file to
//! create rendered from its template, each patch placed at its anchor
//! (found by parsing for Go and Rust, with toml_edit for Cargo.toml, by
//! markers or the document's lines, fences and headings for prose) or
//! found there already. One `FileChange` per file, nothing written.

use foldhash::{HashMap, HashSet};
use std::cell::OnceCell;
use std::rc::Rc;

use anyhow::{Context as _, Result, anyhow, bail};

use crate::anchor::rust_items::Wanted;
use crate::anchor::{self, go::GoFile, go::Import, go::Switch, lists, markers, prose, rust::RustFile};
use crate::checkout::Checkout;
use crate::glob::glob;
use crate::go_imports;
use crate::plan::{Edit, FileChange, Item, Status};
use crate::profile::{Anchor, MarkStyle, NewFile, Patch, Profile};
use crate::render::{Renderer, Shape};

pub struct Steps<'a> {
    pub checkout: &'a Checkout,
    pub profile: &'a Profile,
    pub renderer: &'a Renderer,
    /// The Go module whose packages form the last import group.
    pub module: &'a str,
    pub force: bool,
    /// Go files the caller has read and parsed already, to reuse.
    pub parsed: &'a [&'a GoFile<'a>],
    /// Only whether each patch is there is asked (`doctor`): no template
    /// is rendered, and the variables the texts alone use may be absent.
    pub check_only: bool,
    /// A profile learnt from a backend (`[like]`): the clone of it its
    /// `clone` anchors are placed by.
    pub model: Option<Model<'a>>,
}

/// The backend a profile was learnt from, cloned as the new one: where
/// its `clone` anchors go, and its templates rendered for the model
/// itself, whose columns a Go text's are aligned as (gofmt aligns columns
/// by the names' lengths).
pub struct Model<'a> {
    /// None for `doctor` examining the model itself: its units are the
    /// ones cloned, there by definition.
    pub cloning: Option<&'a super::like::Cloning>,
    pub renderer: &'a Renderer,
}

/// Whether a patch is there, for `doctor`.
#[derive(Debug, Clone, PartialEq)]
pub enum Presence {
    /// In `file`.
    Present(String),
    /// Its place is in `file`, and it is not there.
    Missing(String),
    /// The checkout has no place for it (an optional file or anchor).
    NoPlace,
    /// Its `when` is false.
    NotApplicable,
}

impl Steps<'_> {
    fn template(&self, name: &str) -> String {
        format!("{}/{name}", self.profile.target)
    }

    /// The plan of an add of `backend`: the files the profile creates and
    /// those it patches, with `warnings` and the `next_steps` to tell. A
    /// backend that exists in part is refused unless `force` (or a
    /// re-generation) allows it.
    pub fn plan(
        &self,
        backend: crate::names::BackendName,
        mut warnings: Vec<String>,
        next_steps: Vec<String>,
        allow_existing: bool,
    ) -> Result<crate::plan::Plan> {
        let mut files = self.files()?;
        files.extend(self.patches(&mut warnings)?);
        let plan = crate::plan::Plan {
            target: self.profile.target.clone(),
            next_steps,
            warnings,
            backend,
            files,
            writes_profile: false,
        };
        plan.refuse_partial(allow_existing)?;
        Ok(plan)
    }

    /// The files the profile creates, of those whose `if-exists` and
    /// `unless-exists` the checkout meets.
    pub fn files(&self) -> Result<Vec<FileChange>> {
        let mut files = Vec::new();
        for file in &self.profile.files {
            if self.applies(&file.exists).map_err(|e| self.placed(e, None))? {
                files.push(self.new_file(file).map_err(|e| self.placed(e, None))?);
            }
        }
        Ok(files)
    }

    /// Whether the checkout has the path `if-exists` names (if any) and
    /// not the one `unless-exists` does.
    fn applies(&self, exists: &crate::profile::Exists) -> Result<bool> {
        let has = |path: &Option<String>| -> Result<Option<bool>> {
            path.as_deref().map(|p| self.checkout.exists(&self.renderer.render_str(p)?)).transpose()
        };
        Ok(has(&exists.if_exists)? != Some(false) && has(&exists.unless_exists)? != Some(true))
    }

    /// A team's profile is named in front of an error its entries cause;
    /// the built-in one is proven by the tests, and the error says enough.
    fn placed(&self, error: anyhow::Error, patch: Option<&Patch>) -> anyhow::Error {
        if self.profile.built_in {
            return error;
        }
        let at = patch.map_or_else(|| self.profile.source.clone(), |p| self.profile.place(p));
        anyhow!("{at}: {error:#}")
    }

    fn new_file(&self, file: &NewFile) -> Result<FileChange> {
        let path = self.renderer.render_str(&file.path)?;
        crate::paths::refuse_profile_path(&self.checkout.root, &path, self.checkout.seen())?;
        let rendered = self.renderer.render(&self.template(&file.template), Shape::File)?;
        let rendered = self.aligned(&file.template, &path, rendered, Shape::File)?;
        // A learnt profile's file is a copy of the model's: its imports are
        // grouped as the project groups them.
        let tidy = path.ends_with(".go") && self.model.is_none();
        let content = if tidy { go_imports::tidy(&path, &rendered, self.module)? } else { rendered };
        let before = self.checkout.read(&path)?.map(Rc::unwrap_or_clone);
        let status = match &before {
            None => Status::Create,
            Some(existing) if *existing == content => Status::Identical,
            Some(_) if file.keep => Status::Keep,
            Some(_) if self.force => Status::Overwrite,
            Some(_) => Status::Conflict,
        };
        let after = if status == Status::Keep { before.clone().unwrap_or_default() } else { content };
        Ok(FileChange::whole(path.clone(), before, after, vec![Item { what: path, status }]))
    }

    /// The patched files, in the order the profile first names them; a
    /// file every applicable patch of which is optional may be missing.
    pub fn patches(&self, warnings: &mut Vec<String>) -> Result<Vec<FileChange>> {
        self.run(warnings, &mut |_, _| {})
    }

    /// Whether each patch of the profile is there, in the profile's order.
    pub fn presence(&self) -> Result<Vec<Presence>> {
        let mut found = vec![Presence::NoPlace; self.profile.patches.len()];
        let mut warnings = Vec::new();
        self.run(&mut warnings, &mut |index, presence| found[index] = presence)?;
        Ok(found)
    }

    /// Runs every patch; tells `seen` what each found, by its index in
    /// the profile (one not told has no place in the checkout).
    fn run(&self, warnings: &mut Vec<String>, seen: &mut dyn FnMut(usize, Presence)) -> Result<Vec<FileChange>> {
        let mut order: Vec<String> = Vec::new();
        let mut by_file: HashMap<String, Vec<(usize, &Patch)>> = HashMap::default();
        for (index, patch) in self.profile.patches.iter().enumerate() {
            let when = match &patch.when {
                Some(when) => {
                    self.renderer.is_true(when).with_context(|| format!("{}: when", self.profile.place(patch)))?
                }
                None => true,
            };
            if !when || !self.applies(&patch.exists).map_err(|e| self.placed(e, Some(patch)))? {
                seen(index, Presence::NotApplicable);
                continue;
            }
            let file = self.renderer.render_str(&patch.file).map_err(|e| self.placed(e, Some(patch)))?;
            // Each file once: the check looks for a git directory on disk.
            if !by_file.contains_key(&file) {
                crate::paths::refuse_profile_path(&self.checkout.root, &file, self.checkout.seen())
                    .map_err(|e| self.placed(e, Some(patch)))?;
                order.push(file.clone());
            }
            by_file.entry(file).or_default().push((index, patch));
        }
        let mut changes = Vec::new();
        for path in &order {
            let patches = &by_file[path];
            let src;
            let wanted = if path.ends_with(".rs") {
                let mut wanted = Vec::new();
                for (_, patch) in patches {
                    wanted.extend(self.wanted(patch).map_err(|e| self.placed(e, Some(patch)))?);
                }
                wanted
            } else {
                Vec::new()
            };
            let mut file = match self.parsed.iter().find(|g| g.path == path) {
                Some(go) => PatchedFile::new(path, go.src, Some(go)),
                None => {
                    let Some(text) = self.checkout.read(path)? else {
                        // For doctor, a file the checkout lacks: a required
                        // patch of it is missing, another has no place.
                        if self.check_only {
                            for (index, patch) in patches {
                                let required = !patch.optional && patch.role == crate::profile::Role::Required;
                                seen(
                                    *index,
                                    if required { Presence::Missing(path.clone()) } else { Presence::NoPlace },
                                );
                            }
                            continue;
                        }
                        if let Some((_, required)) = patches.iter().find(|(_, p)| !p.optional) {
                            bail!(
                                "{path} not found; the {} profile patches it ({})",
                                self.profile.target,
                                self.profile.place(required)
                            );
                        }
                        continue;
                    };
                    src = text;
                    PatchedFile::new(path, &src, None)
                }
            };
            file.wanted = wanted;
            for (index, patch) in patches {
                let (items, edits) = (file.items.len(), file.edits.len());
                self.patch(&mut file, patch, warnings).map_err(|e| self.placed(e, Some(patch)))?;
                if file.items.len() > items {
                    let there = file.edits.len() == edits;
                    seen(*index, if there { Presence::Present(path.clone()) } else { Presence::Missing(path.clone()) });
                }
            }
            changes.extend(file.finish());
        }
        Ok(changes)
    }

    fn patch(&self, file: &mut PatchedFile, patch: &Patch, warnings: &mut Vec<String>) -> Result<()> {
        let template = patch.template.as_ref().filter(|_| !self.check_only);
        let render = |shape| match template {
            Some(name) => self.renderer.render(&self.template(name), shape),
            None => Ok(String::new()),
        };
        // A Rust anchor's text, rendered for the column it starts at.
        let at_column = |column| match template {
            Some(name) => self.renderer.render_at(&self.template(name), Shape::Text, column),
            None => Ok(String::new()),
        };
        let trimmed = |column| at_column(column).map(|t| t.trim_end().to_string());
        let what = |default: String| match &patch.what {
            Some(what) if !self.check_only => self.renderer.render_str(what),
            _ => Ok(default),
        };
        match &patch.anchor {
            Anchor::Import { path, name } => {
                let path = self.renderer.render_str(path)?;
                let name = name.as_deref().map(|n| self.renderer.render_str(n)).transpose()?;
                let edit = file.go()?.import_edit(file.imports()?, &path, name.as_deref(), self.module)?;
                let edit = edit.filter(|_| file.imported.insert(path.clone()));
                file.add(what(format!("import {path:?}"))?, edit.into_iter().collect());
            }
            Anchor::StructEnd { name, present } => {
                let name = self.renderer.render_str(name)?;
                let present = present.as_deref().map(|p| self.renderer.render_str(p)).transpose()?;
                let found = file.go()?.struct_type(&name)?;
                let there = match &present {
                    Some(field) => found.fields.iter().any(|f| glob(field, &f.name)),
                    // Whether the fields are there cannot be told.
                    None if self.check_only => return Ok(()),
                    None => false,
                };
                let edits =
                    if there { vec![] } else { vec![Edit { at: found.close_line, text: render(Shape::Fields)? }] };
                file.add(what(format!("fields of {name}"))?, edits);
            }
            Anchor::MethodEnd { receiver, method, present } => {
                let (receiver, method) = (self.renderer.render_str(receiver)?, self.renderer.render_str(method)?);
                let present = present.as_deref().map(|p| self.renderer.render_str(p)).transpose()?;
                let go = file.go()?;
                let close = go.body(Some(&receiver), &method)?.close_line;
                let there = match &present {
                    Some(text) => {
                        go.method_text(Some(&receiver), &method).is_some_and(|code| code.contains(text.as_str()))
                    }
                    None if self.check_only => return Ok(()),
                    None => false,
                };
                let edits = if there { vec![] } else { vec![Edit { at: close, text: render(Shape::Statements)? }] };
                file.add(what(format!("{receiver}.{method}()"))?, edits);
            }
            Anchor::SwitchCase { func, switch, case } => {
                let func = self.renderer.render_str(func)?;
                let value = switch.as_deref().map(|s| self.renderer.render_str(s)).transpose()?;
                let cases = self.rendered(case)?;
                let found = file.go()?.switch_in(&func, value.as_deref())?;
                let edits =
                    if has_case(&found, &cases) { vec![] } else { vec![arm(file.src, &found, render(Shape::Cases)?)] };
                file.add(what(format!("case {} in {func}()", cases[0]))?, edits);
            }
            Anchor::TypeSwitchCase { switch, case } => {
                let switch = self.renderer.render_str(switch)?;
                let cases = self.rendered(case)?;
                let Some(found) = file.go()?.type_switch(&switch)? else {
                    return self.missing(patch, warnings, format!("{}: no type switch on {switch}", file.path));
                };
                let edits =
                    if has_case(&found, &cases) { vec![] } else { vec![arm(file.src, &found, render(Shape::Cases)?)] };
                file.add(what(format!("case {} in the switch on {switch}", cases[0]))?, edits);
            }
            Anchor::FuncAfter { func, after } => {
                let func = self.renderer.render_str(func)?;
                let after: Vec<String> = after.iter().map(|a| self.renderer.render_str(a)).collect::<Result<_>>()?;
                let rendered = render(Shape::Decls)?;
                let go = file.go()?;
                let stale = go.func_text(&func).is_some_and(|text| differs(text, &rendered));
                let mut edits = Vec::new();
                if !go.has_func(&func) && !self.declared_elsewhere(file.path, &func)? {
                    let Some((_, end)) = go.last_func(|f| after.iter().any(|a| glob(a, f))) else {
                        let want = after.join(" or ");
                        return self.missing(
                            patch,
                            warnings,
                            format!("{}: no function {want} to place {func}() after", file.path),
                        );
                    };
                    edits.push(Edit { at: end, text: format!("\n\n{}", rendered.trim_end()) });
                    if patch.imports {
                        edits.extend(file.std_import_edits(&rendered, self.module)?);
                    }
                }
                file.add_checked(what(format!("func {func}()"))?, edits, stale);
            }
            Anchor::VarAfter { after, present } => {
                let (after, present) = (self.renderer.render_str(after)?, self.renderer.render_str(present)?);
                let go = file.go()?;
                let mut edits = Vec::new();
                if go.last_var_containing(&present)?.is_none() {
                    let Some(end) = go.last_var_containing(&after)? else {
                        return self.missing(
                            patch,
                            warnings,
                            format!("{}: no `var` block with {after} to follow", file.path),
                        );
                    };
                    let text = render(Shape::Decls)?;
                    if patch.imports {
                        edits.extend(file.std_import_edits(&text, self.module)?);
                    }
                    edits.push(Edit { at: end, text: format!("\n\n{}", text.trim_end()) });
                }
                file.add(what(format!("var block with {present}"))?, edits);
            }
            Anchor::MarkedBlock { style } => {
                let style = match style {
                    MarkStyle::Markdown => markers::MARKDOWN,
                    MarkStyle::Yaml => markers::YAML,
                };
                let name = self.renderer.render_str("{{ type }}")?;
                let mut edits = Vec::new();
                if !style.has_block(file.src, &name) {
                    let (at, text) = style.insertion(file.src, &name, &render(Shape::Text)?);
                    edits.push(Edit { at, text });
                }
                file.add(what(format!("{name} block"))?, edits);
            }
            Anchor::LineAfter { present, lines, within } => {
                let present = self.renderer.render_str(present)?;
                let mut rendered = Vec::new();
                for (after, text) in lines {
                    rendered.push((self.renderer.render_str(after)?, self.renderer.render_str(text)?));
                }
                let mut edits = Vec::new();
                if !file.src.contains(&present) {
                    for (after, line) in &rendered {
                        let Some(at) = prose::line_after(file.src, after, within.as_deref()) else {
                            let all: Vec<&str> = rendered.iter().map(|(_, l)| l.as_str()).collect();
                            let place = within.as_ref().map_or(String::new(), |w| format!(" in a ```{w} block"));
                            let msg = format!(
                                "{}: no line like `{after}`{place}; add {} by hand",
                                file.path,
                                all.join(" and ")
                            );
                            return self.missing(patch, warnings, msg);
                        };
                        let indent = anchor::indentation(file.src, at);
                        let end = anchor::line_end(file.src, at);
                        // The document's last line, without its newline, gets one first.
                        let newline = if file.src[..end].ends_with('\n') { "" } else { "\n" };
                        edits.push(Edit { at: end, text: format!("{newline}{indent}{line}\n") });
                    }
                }
                file.add(what(format!("line {}", rendered[0].1))?, edits);
            }
            Anchor::LineAppend { line, present, text, before } => {
                let (line, present, text) = (
                    self.renderer.render_str(line)?,
                    self.renderer.render_str(present)?,
                    self.renderer.render_str(text)?,
                );
                let before = before.as_deref().map(|b| self.renderer.render_str(b)).transpose()?;
                let Some((at, found)) = prose::line_append(file.src, &line, before.as_deref()) else {
                    return self.missing(patch, warnings, format!("{}: no line like `{line}`", file.path));
                };
                // `|co` is not in a line listing `|cos`: present as a word.
                let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
                let has = found.match_indices(&present).any(|(i, _)| !found[i + present.len()..].starts_with(word));
                let edits = if has { vec![] } else { vec![Edit { at, text: text.clone() }] };
                file.add(what(format!("{text} on the line like {line}"))?, edits);
            }
            Anchor::BlockEnd { within, containing, present } => {
                let (within, containing) = (self.renderer.render_str(within)?, self.renderer.render_str(containing)?);
                let present = self.renderer.render_str(present)?;
                let Some(block) = prose::block_end(file.src, &within, &containing) else {
                    let msg = format!("{}: no ```{within} block with {containing}", file.path);
                    return self.missing(patch, warnings, msg);
                };
                let mut edits = Vec::new();
                if !file.src[block.clone()].contains(&present) {
                    edits.push(Edit { at: block.end, text: anchor::indent_lines(&render(Shape::Text)?, "") });
                }
                file.add(what(format!("{present} in the ```{within} block"))?, edits);
            }
            Anchor::MarkdownSection { after, present } => {
                let (after, present) = (self.renderer.render_str(after)?, self.renderer.render_str(present)?);
                let mut edits = Vec::new();
                if !prose::has_heading(file.src, &present) {
                    let Some(at) = prose::section_end(file.src, &after) else {
                        return self.missing(patch, warnings, format!("{}: no heading like `{after}`", file.path));
                    };
                    // A section is followed by a blank line, unless it ends the
                    // document; there, a blank line comes before it.
                    let mut text = anchor::indent_lines(render(Shape::Text)?.trim(), "");
                    if at < file.src.len() {
                        text.push('\n');
                    } else if !file.src.ends_with('\n') {
                        text.insert_str(0, "\n\n");
                    } else if !(file.src.ends_with("\n\n") || file.src.ends_with("\n\r\n")) {
                        text.insert(0, '\n');
                    }
                    edits.push(Edit { at, text });
                }
                file.add(what(format!("section {present}"))?, edits);
            }
            Anchor::RustItem { after, present, sorted } => {
                let (after, present) = (self.renderer.render_str(after)?, self.renderer.render_str(present)?);
                let edit = file.rust()?.item_after(&after, &present, &|column| at_column(column), *sorted)?;
                file.add(what(present.clone())?, edit.into_iter().collect());
            }
            Anchor::RustCfgAny { feature, siblings } => {
                let feature = self.renderer.render_str(feature)?;
                let siblings = self.names(Some(siblings))?;
                let (edits, overlong) = file.rust()?.cfg_any_edits(&feature, &siblings, self.renderer.width())?;
                for at in overlong {
                    let line = &file.src[anchor::line_start(file.src, at)..anchor::line_end(file.src, at)];
                    warnings.push(format!(
                        "{}: `{}` is now wider than rustfmt keeps on one line; `cargo fmt` breaks it (and `remove` then takes it for an edit)",
                        file.path,
                        line.trim()
                    ));
                }
                file.add(what(format!("feature = \"{feature}\" in the cfg(any(..)) lists"))?, edits);
            }
            Anchor::RustMember { item, member, after } => {
                let (item, member) = (self.renderer.render_str(item)?, self.renderer.render_str(member)?);
                let after = self.names(after.as_ref())?;
                let edit = file.rust()?.member_edit(&item, &member, &after, &trimmed)?;
                file.add(what(format!("{item}::{member}"))?, edit.into_iter().collect());
            }
            Anchor::RustLiteral { func, ty, field, after } => {
                let func = func.as_deref().map(|f| self.renderer.render_str(f)).transpose()?;
                let (ty, field) = (self.renderer.render_str(ty)?, self.renderer.render_str(field)?);
                let after = self.names(after.as_ref())?;
                let edits = file.rust()?.literal_edits(func.as_deref(), &ty, &field, &after, &trimmed)?;
                let within = func.as_ref().map_or(String::new(), |f| format!(" in {f}()"));
                file.add(what(format!("{field} in {ty} {{ .. }}{within}"))?, edits);
            }
            Anchor::RustFn { func, position, present, after } => {
                let (func, present) = (self.renderer.render_str(func)?, self.renderer.render_str(present)?);
                let after = self.names(after.as_ref())?;
                let edit = file.rust()?.fn_edit(&func, position, &present, &after, &trimmed)?;
                file.add(what(format!("{present} in {func}()"))?, edit.into_iter().collect());
            }
            Anchor::RustArm { func, like, pattern } => {
                let (func, like) = (self.renderer.render_str(func)?, self.renderer.render_str(like)?);
                let pattern = self.renderer.render_str(pattern)?;
                let edit = file.rust()?.arm_edit(&func, &like, &pattern, &trimmed)?;
                file.add(what(format!("{pattern} arm in {func}()"))?, edit.into_iter().collect());
            }
            Anchor::RustArray { func, present, r#macro } => {
                let (func, present) = (self.renderer.render_str(func)?, self.renderer.render_str(present)?);
                let r#macro = r#macro.as_deref().map(|m| self.renderer.render_str(m)).transpose()?;
                let edit = file.rust()?.array_edit(&func, r#macro.as_deref(), &present, &trimmed)?;
                file.add(what(format!("{present} in {func}()"))?, edit.into_iter().collect());
            }
            Anchor::ListEntry { kind, after, containing, like, between, longest, present, order, first, last, key } => {
                let r = |s: &Option<String>| s.as_deref().map(|s| self.renderer.render_str(s)).transpose();
                let (after, containing, like, key) = (r(after)?, r(containing)?, r(like)?, r(key)?);
                let (between, first, last) = (self.rendered(between)?, self.rendered(first)?, self.rendered(last)?);
                let present = r(present)?;
                let select = lists::Select {
                    kind: *kind,
                    after: after.as_deref(),
                    containing: containing.as_deref(),
                    like: like.as_deref(),
                    between: &between,
                    longest: *longest,
                };
                let found = lists::all(file.src, &select);
                let Some(list) = lists::pick(file.src, &found, &select) else {
                    let mut place = Vec::new();
                    place.extend(after.as_ref().map(|a| format!("after a line like `{a}`")));
                    place.extend(containing.as_ref().map(|c| format!("holding `{c}`")));
                    let kind = lists::KINDS.iter().find(|(_, k)| k == kind).map_or("", |(n, _)| n);
                    let msg = format!("{}: no {kind} {}", file.path, place.join(" "));
                    return self.missing(patch, warnings, msg);
                };
                // Without `present`, whether it is there cannot be told
                // without the text (doctor).
                if present.is_none() && self.check_only {
                    return Ok(());
                }
                let text = render(Shape::Text)?;
                let new_key = lists::new_key(*kind, &text, key.as_deref());
                let there = match &present {
                    Some(present) => lists::listed(file.src, &found, present),
                    None => lists::has_key(list, &new_key, key.as_deref()),
                };
                let mut edits = Vec::new();
                if !there {
                    let placing = lists::Placing { order: *order, first: &first, last: &last, key: key.as_deref() };
                    let (at, text) = lists::insertion(file.src, list, &text, &placing);
                    edits.push(Edit { at, text });
                }
                let default = present.unwrap_or(new_key);
                file.add(what(format!("{default} in the list"))?, edits);
            }
            Anchor::Clone { unit, part } => self.clone_unit(file, patch, unit, *part)?,
            Anchor::CargoFeature { feature, deps, list, like, model } => {
                let feature = self.renderer.render_str(feature)?;
                let deps: Vec<String> = deps.iter().map(|d| self.renderer.render_str(d)).collect::<Result<_>>()?;
                let list = self.renderer.render_str(list)?;
                let like = like.as_deref().map(|l| self.renderer.render_str(l)).transpose()?;
                let model = model.as_deref().map(|m| self.renderer.render_str(m)).transpose()?;
                let model = model.as_deref().filter(|m| !m.is_empty());
                let edits =
                    anchor::cargo::feature_edits(file.path, file.src, &feature, &deps, &list, like.as_deref(), model)?;
                file.add(what(format!("feature {feature} (and in {list})"))?, edits);
            }
        }
        Ok(())
    }

    /// What of a Rust file a patch's anchor looks at: the pieces of it to
    /// parse (see `anchor::rust_items`).
    fn wanted(&self, patch: &Patch) -> Result<Vec<Wanted>> {
        let r = |s: &String| self.renderer.render_str(s);
        Ok(match &patch.anchor {
            // Items are read from the text (`rust_items::items`).
            Anchor::RustItem { .. } => vec![Wanted::Nothing],
            Anchor::RustCfgAny { siblings, .. } => {
                // The lists that name a sibling: its name, quoted, is in them.
                let named: Vec<Wanted> =
                    self.names(Some(siblings))?.into_iter().map(|s| Wanted::Text(format!("\"{s}\""))).collect();
                let any = Wanted::Text("any(".to_string());
                let lists = if named.is_empty() { any } else { Wanted::AllOf(vec![any, Wanted::AnyOf(named)]) };
                vec![Wanted::Inside(Box::new(lists), vec!["any(".to_string()])]
            }
            Anchor::RustMember { item, .. } => vec![Wanted::Declares(r(item)?)],
            // The function's statements; of its nested blocks, those
            // holding what the anchor reads there.
            Anchor::RustLiteral { func: Some(func), ty, .. } => {
                let ty = r(ty)?.rsplit("::").next().unwrap_or_default().to_string();
                vec![Wanted::Inside(Box::new(Wanted::Function(r(func)?)), vec![ty])]
            }
            Anchor::RustArm { func, like, .. } => {
                // The arms: a pattern like `like` starts as it does up to
                // its first `*` (`CacheType::`), or ends as it does after
                // its last, then the arrow (`" =>` of `"*"`).
                let like = r(like)?;
                let head = like.split('*').next().unwrap_or_default();
                let tail = like.rsplit('*').next().filter(|_| like.contains('*')).unwrap_or_default();
                let needle = if head.len() >= 3 || tail.is_empty() { head.to_string() } else { format!("{tail} =>") };
                let function = Wanted::Function(r(func)?);
                if needle.is_empty() { vec![function] } else { vec![Wanted::Inside(Box::new(function), vec![needle])] }
            }
            Anchor::RustFn { func, position, .. } => {
                // A raw string may be anywhere in it (`r"` after what
                // cannot end a word: not the end of `"user"`); the rest are
                // statements of its body.
                let needles = if position == "raw-string-end" {
                    ["r#\"", " r\"", "(r\"", "[r\"", ",r\"", "=r\"", "\tr\"", "\nr\"", "{r\""]
                        .map(String::from)
                        .to_vec()
                } else {
                    Vec::new()
                };
                vec![Wanted::Inside(Box::new(Wanted::Function(r(func)?)), needles)]
            }
            Anchor::RustArray { func, .. } => vec![Wanted::Function(r(func)?)],
            Anchor::RustLiteral { func: None, ty, .. } => {
                // A literal under a path (`config::CacheConfigs { .. }`) holds its name as a word.
                let ty = r(ty)?.rsplit("::").next().unwrap_or_default().to_string();
                vec![Wanted::Inside(Box::new(Wanted::Word(ty.clone())), vec![ty])]
            }
            _ => vec![Wanted::All],
        })
    }

    /// Each of a profile's strings, rendered.
    fn rendered(&self, strings: &[String]) -> Result<Vec<String>> {
        strings.iter().map(|s| self.renderer.render_str(s)).collect()
    }

    /// A profile's comma-separated list of names, rendered.
    fn names(&self, list: Option<&String>) -> Result<Vec<String>> {
        let Some(list) = list else { return Ok(Vec::new()) };
        let rendered = self.renderer.render_str(list)?;
        Ok(rendered.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
    }

    /// In a profile learnt from a backend, Go text rendered from
    /// `template` with its columns aligned as gofmt aligns them: as the
    /// model's text (the template rendered for the model) is, for the new
    /// names' lengths.
    fn aligned(&self, template: &str, path: &str, rendered: String, shape: Shape) -> Result<String> {
        match &self.model {
            Some(model) if path.ends_with(".go") => {
                let original = model.renderer.render(&self.template(template), shape)?;
                Ok(super::like::realign(&original, &rendered))
            }
            _ => Ok(rendered),
        }
    }

    /// A `clone` anchor: where the clone of the model's unit `unit` goes
    /// (its `part`th insertion), the template's text; there already when
    /// the clone or the text is.
    fn clone_unit(&self, file: &mut PatchedFile, patch: &Patch, unit: &str, part: usize) -> Result<()> {
        let Some(model) = &self.model else {
            bail!("anchor \"clone\" in a profile with no [like] table");
        };
        let Some(cloning) = model.cloning else {
            file.add(unit.to_string(), Vec::new());
            return Ok(());
        };
        let wired = cloning.wired.iter().find(|w| w.path == file.path);
        let Some(cloned) = wired.and_then(|w| w.cloned.iter().find(|c| c.key == unit)) else {
            // A profile's text, its control and direction characters shown as escapes.
            let hidden = |c: char| {
                c.is_control()
                    || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            };
            let shown: String =
                unit.chars().map(|c| if hidden(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect();
            bail!("{}: no unit `{shown}` of {} to clone here", file.path, cloning.sibling);
        };
        if self.check_only {
            // Another backend's own unit of the kind (its `case`, named
            // for it) is its wiring there, if not a clone's text.
            let there = matches!(cloned.item.status, Status::Present | Status::Conflict);
            let edits = if there { Vec::new() } else { cloned.edits.clone() };
            file.add(cloned.item.what.clone(), edits);
            return Ok(());
        }
        let what = match &patch.what {
            Some(what) if !self.check_only => self.renderer.render_str(what)?,
            _ => cloned.item.what.clone(),
        };
        let text = match patch.template.as_ref().filter(|_| !self.check_only) {
            Some(name) => {
                let rendered = self.renderer.render(&self.template(name), Shape::Text)?;
                self.aligned(name, file.path, rendered, Shape::Text)?
            }
            None => String::new(),
        };
        if text.trim().is_empty() {
            bail!(
                "template {}: renders nothing; a clone patch inserts its text",
                patch.template.as_deref().unwrap_or("")
            );
        }
        // The unit's text in the clone's frame where it goes now.
        let edit = cloned.edits.get(part - 1);
        let text = match edit {
            Some(edit) => {
                let (before, _, after) = super::like::framed(&edit.text);
                format!("{before}{text}{after}")
            }
            None => text,
        };
        let there = cloned.item.status == Status::Present || super::like::has_lines(file.src, &text);
        match (cloned.item.status, edit) {
            _ if there => file.add(what, Vec::new()),
            (Status::Insert, Some(edit)) => file.add(what, vec![Edit { at: edit.at, text }]),
            (Status::Insert, None) => {
                bail!("{}: the clone of `{unit}` has {} insertion(s), not {part}", file.path, cloned.edits.len())
            }
            (status, _) => file.items.push(Item { what, status }),
        }
        Ok(())
    }

    /// An anchor not found: a warning for an optional patch, else an error.
    fn missing(&self, patch: &Patch, warnings: &mut Vec<String>, message: String) -> Result<()> {
        if patch.quiet {
            crate::log::detail(|| format!("skipped: {message}"));
            Ok(())
        } else if patch.optional {
            warnings.push(message);
            Ok(())
        } else {
            Err(anyhow!(message))
        }
    }

    /// Whether another Go file of `path`'s package declares `name` (read
    /// cheaply, without parsing).
    fn declared_elsewhere(&self, path: &str, name: &str) -> Result<bool> {
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let Ok(files) = self.checkout.list(dir) else { return Ok(false) };
        let finder = memchr::memmem::Finder::new(name.as_bytes());
        for file_name in files {
            let rel = if dir.is_empty() { file_name.clone() } else { format!("{dir}/{file_name}") };
            if !file_name.ends_with(".go") || rel == path {
                continue;
            }
            let has = |bytes: &[u8]| anchor::go::has_identifier(bytes, &finder);
            if let Some(src) = self.checkout.read_if(&rel, has)?
                && anchor::go::top_level_names(&src).contains(&name)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A file's parse: its own, or the caller's.
enum Go<'s> {
    Own(GoFile<'s>),
    Shared(&'s GoFile<'s>),
}

/// One file's patches as they are planned: its parse, its edits and an
/// item for each thing they add.
struct PatchedFile<'s> {
    path: &'s str,
    src: &'s str,
    go: Option<Go<'s>>,
    rust: OnceCell<RustFile<'s>>,
    imports: OnceCell<Vec<Import>>,
    /// Import paths already added by an earlier patch.
    imported: HashSet<String>,
    /// What of a Rust file its patches look at: only that is parsed.
    wanted: Vec<Wanted>,
    edits: Vec<Edit>,
    items: Vec<Item>,
}

impl<'s> PatchedFile<'s> {
    fn new(path: &'s str, src: &'s str, parsed: Option<&'s GoFile<'s>>) -> PatchedFile<'s> {
        let go = match parsed {
            Some(go) => Some(Go::Shared(go)),
            None => path.ends_with(".go").then(|| Go::Own(GoFile::new(path, src))),
        };
        PatchedFile {
            path,
            src,
            go,
            rust: OnceCell::new(),
            imports: OnceCell::new(),
            imported: HashSet::default(),
            wanted: Vec::new(),
            edits: Vec::new(),
            items: Vec::new(),
        }
    }

    fn go(&self) -> Result<&GoFile<'s>> {
        match &self.go {
            Some(Go::Own(go)) => Ok(go),
            Some(Go::Shared(go)) => Ok(go),
            None => Err(anyhow!("{}: a Go anchor in a file that is not Go", self.path)),
        }
    }

    fn rust(&self) -> Result<&RustFile<'s>> {
        if self.rust.get().is_none() {
            if !self.path.ends_with(".rs") {
                bail!("{}: a Rust anchor in a file that is not Rust", self.path);
            }
            let wanted = if self.wanted.is_empty() { vec![Wanted::All] } else { self.wanted.clone() };
            let file = RustFile::partial(self.path, self.src, &wanted)?;
            crate::log::detail(|| format!("parsed {} of {} bytes of {}", file.parsed, self.src.len(), self.path));
            let _ = self.rust.set(file);
        }
        self.rust.get().ok_or_else(|| anyhow!("{}: cannot parse", self.path))
    }

    /// The file's change, if any patch applied to it.
    fn finish(self) -> Option<FileChange> {
        (!self.items.is_empty())
            .then(|| FileChange::patched(self.path.to_string(), self.src.to_string(), &self.edits, self.items))
    }

    fn imports(&self) -> Result<&[Import]> {
        if let Some(imports) = self.imports.get() {
            return Ok(imports);
        }
        let imports = self.go()?.imports()?;
        Ok(self.imports.get_or_init(|| imports))
    }

    /// Imports of the standard-library packages `text` uses that the file
    /// lacks (an earlier patch's included).
    fn std_import_edits(&mut self, text: &str, module: &str) -> Result<Vec<Edit>> {
        let imports = self.imports()?.to_vec();
        // `rand` from math/rand already serves what math/rand/v2 would.
        if imports.iter().any(|i| i.name == "rand" && i.path.starts_with("math/rand")) {
            self.imported.insert("math/rand/v2".to_string());
        }
        let mut edits = Vec::new();
        for path in std_imports(text) {
            if self.imported.insert(path.to_string()) {
                edits.extend(self.go()?.import_edit(&imports, path, None, module)?);
            }
        }
        Ok(edits)
    }

    /// Records item `what`: present when it needs no edit.
    fn add(&mut self, what: String, edits: Vec<Edit>) {
        let status = if edits.is_empty() { Status::Present } else { Status::Insert };
        self.items.push(Item { what, status });
        self.edits.extend(edits);
    }

    /// Like `add`, for an item whose presence was compared with what the
    /// templates write: `stale` when it differs.
    fn add_checked(&mut self, what: String, edits: Vec<Edit>, stale: bool) {
        if stale && edits.is_empty() {
            self.items.push(Item { what, status: Status::Stale });
        } else {
            self.add(what, edits);
        }
    }
}

/// Whether the switch has a case for any of `cases`.
fn has_case(switch: &Switch, cases: &[String]) -> bool {
    let unquoted = |v: &str| v.trim_matches(['"', '`']).to_string();
    cases.iter().any(|case| switch.case_values.iter().any(|v| v == case || unquoted(v) == unquoted(case)))
}

/// A `case` arm, indented like the `default:` it goes before.
fn arm(src: &str, switch: &Switch, text: String) -> Edit {
    let indent = anchor::indentation(src, switch.default_line);
    let text = anchor::indent_lines(&text, indent);
    Edit { at: switch.default_line, text }
}

/// Standard-library packages a rendered snippet uses: `strconv.Atoi` needs "strconv".
fn std_imports(text: &str) -> Vec<&'static str> {
    const KNOWN: &[(&str, &str)] = &[
        ("fmt.", "fmt"),
        ("flag.", "flag"),
        ("os.", "os"),
        ("path.", "path"),
        ("rand.", "math/rand/v2"),
        ("strconv.", "strconv"),
        ("strings.", "strings"),
        ("time.", "time"),
        ("url.", "net/url"),
    ];
    KNOWN
        .iter()
        .filter(|(use_, _)| {
            text.match_indices(use_).any(|(at, _)| {
                at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric() && text.as_bytes()[at - 1] != b'.'
            })
        })
        .map(|(_, path)| *path)
        .collect()
}

/// Whether a function in the checkout differs from its rendered template
/// (whose leading doc comment is not part of the function).
fn differs(existing: &str, rendered: &str) -> bool {
    let doc: usize = rendered.split_inclusive('\n').take_while(|l| l.starts_with("//")).map(str::len).sum();
    existing.trim_end() != rendered[doc..].trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_function_is_compared_without_its_doc_comment_whatever_the_line_endings() {
        let existing = "func f() {\r\n}";
        assert!(!differs(existing, "// f does é\r\nfunc f() {\r\n}\r\n"));
        assert!(differs(existing, "// f does é\r\nfunc f() {\r\n\treturn\r\n}\r\n"));
        assert!(!differs("func f() {\n}", "// f\n// more\nfunc f() {\n}\n"));
    }
}
