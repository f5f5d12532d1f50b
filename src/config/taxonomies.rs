//! `[taxonomies.<key>]` in site.toml: the site's own ways of grouping briefs besides topics
//! (programmes, series, regions), each a front-matter field with pages, an index and feeds.

use crate::diagnostics::Diagnostic;
use crate::reserved::{BRIEF_FIELDS, SECTION_SLUGS};
use std::path::Path;
use toml::de::{DeTable, DeValue};

/// The keys of one `[taxonomies.<key>]` table.
const TAXONOMY_KEYS: &[&str] = &["name", "plural"];

/// One taxonomy a site declares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxonomySettings {
    /// The front-matter field and the URL folder: `programmes` → `/programmes/<slug>/`.
    pub key: String,
    /// What one term is called, as a label beside a brief's terms: "Programme".
    pub name: String,
    /// What the terms are called together, as the index page's title: "Programmes" (the name
    /// with an "s" unless given).
    pub plural: String,
}

/// Reads `[taxonomies]`, in the order site.toml writes them; every problem found is returned.
pub(super) fn taxonomy_settings(
    shown: &Path,
    text: &str,
    table: &DeTable<'_>,
) -> Result<Vec<TaxonomySettings>, Vec<Diagnostic>> {
    let Some(value) = table.iter().find(|(key, _)| key.get_ref() == "taxonomies") else {
        return Ok(Vec::new());
    };
    let DeValue::Table(declared) = value.1.get_ref() else {
        return Err(vec![
            Diagnostic::error(shown, "`taxonomies` must be a table of tables")
                .at_offset(text, value.0.span().start)
                .width("taxonomies".len())
                .help(EXAMPLE),
        ]);
    };
    let mut entries: Vec<_> = declared.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    let mut problems = Vec::new();
    let mut taxonomies = Vec::new();
    for (key, value) in entries {
        let place = key.span().start;
        let at = |message: String, help: &str| {
            Diagnostic::error(shown, message)
                .at_offset(text, place)
                .width(key.get_ref().chars().count())
                .help(help.to_string())
        };
        if let Some(problem) = key_problem(key.get_ref()) {
            problems.push(at(problem.0, &problem.1));
            continue;
        }
        let DeValue::Table(settings) = value.get_ref() else {
            problems.push(at(
                format!("`taxonomies.{}` must be a table", key.get_ref()),
                EXAMPLE,
            ));
            continue;
        };
        let prefix = format!("taxonomies.{}.", key.get_ref());
        problems.extend(super::unknown_keys(
            shown,
            text,
            settings,
            TAXONOMY_KEYS,
            &prefix,
        ));
        let name = text_setting(shown, text, settings, "name", &mut problems);
        let plural = text_setting(shown, text, settings, "plural", &mut problems);
        match name {
            Some(name) => taxonomies.push(TaxonomySettings {
                key: key.get_ref().to_string(),
                plural: plural.unwrap_or_else(|| format!("{name}s")),
                name,
            }),
            None if !settings.contains_key("name") => problems.push(at(
                format!("`taxonomies.{}` has no `name`", key.get_ref()),
                &format!(
                    "name one of its terms, e.g. [taxonomies.{}] name = \"Programme\"",
                    key.get_ref()
                ),
            )),
            None => {}
        }
    }
    if problems.is_empty() {
        Ok(taxonomies)
    } else {
        Err(problems)
    }
}

const EXAMPLE: &str = "declare each taxonomy as its own table, e.g. [taxonomies.programmes] \
                       name = \"Programme\"";

/// Why a taxonomy's key cannot be used, with how to fix it: it must be a plain lowercase word
/// (it is a front-matter field and a URL folder) that no field or section of folio's takes.
fn key_problem(key: &str) -> Option<(String, String)> {
    let plain = key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !plain {
        return Some((
            format!("the taxonomy key `{key}` is not a plain lowercase word"),
            "use lowercase letters, digits, `-` and `_`, starting with a letter, e.g. `programmes`"
                .to_string(),
        ));
    }
    if BRIEF_FIELDS.contains(&key) || SECTION_SLUGS.contains(&key) {
        let taken = if BRIEF_FIELDS.contains(&key) {
            "a brief's own field"
        } else {
            "the site's own section"
        };
        return Some((
            format!("the taxonomy key `{key}` is taken by {taken} `{key}`"),
            "choose another key, e.g. `programmes`, `series` or `regions`".to_string(),
        ));
    }
    None
}

/// A setting that must be a non-empty string, when present.
fn text_setting(
    shown: &Path,
    text: &str,
    settings: &DeTable<'_>,
    name: &str,
    problems: &mut Vec<Diagnostic>,
) -> Option<String> {
    let (key, value) = settings.iter().find(|(key, _)| key.get_ref() == name)?;
    match value.get_ref() {
        DeValue::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => {
            problems.push(
                Diagnostic::error(shown, format!("`{name}` must be a non-empty string"))
                    .at_offset(text, key.span().start)
                    .width(name.len())
                    .help(format!("e.g. {name} = \"Programme\"")),
            );
            None
        }
    }
}
