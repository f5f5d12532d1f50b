//! Footnotes: numbered by first reference, each reference linked to its note and each note
//! linked back to every reference, with ids prefixed per brief. Kept as data for the theme.

use super::{MarkdownInput, Spanned};
use crate::diagnostics::Diagnostic;
use pulldown_cmark::{Event, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One note, for the theme's Notes section.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Footnote {
    pub number: usize,
    /// The label the author wrote (`[^label]`).
    pub label: String,
    /// The note's element id.
    pub id: String,
    pub html: String,
    /// One per reference to this note, in the order they appear.
    pub backrefs: Vec<BackRef>,
}

/// A link from a note back to one reference to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackRef {
    /// The reference's element id.
    pub id: String,
    /// "a", "b"… when the note is referenced more than once, else "".
    pub label: String,
}

/// A footnote definition's events and where it starts.
pub(super) struct Definition<'a> {
    label: String,
    events: Vec<Spanned<'a>>,
    offset: usize,
}

/// Definitions by normalised label, and any label defined twice.
pub(super) struct Definitions<'a> {
    by_label: HashMap<String, Definition<'a>>,
    duplicates: Vec<Definition<'a>>,
}

/// Labels match case-insensitively, as in GitHub Flavored Markdown.
fn key(label: &str) -> String {
    label.to_lowercase()
}

/// Separates footnote definitions from the body's events.
pub(super) fn split_definitions(events: Vec<Spanned<'_>>) -> (Vec<Spanned<'_>>, Definitions<'_>) {
    let mut body = Vec::with_capacity(events.len());
    let mut definitions = Definitions {
        by_label: HashMap::new(),
        duplicates: Vec::new(),
    };
    let mut open: Option<Definition<'_>> = None;
    for (event, range) in events {
        match (event, open.as_mut()) {
            (Event::Start(Tag::FootnoteDefinition(label)), _) => {
                open = Some(Definition {
                    label: label.to_string(),
                    events: Vec::new(),
                    offset: range.start,
                });
            }
            (Event::End(TagEnd::FootnoteDefinition), _) => {
                if let Some(definition) = open.take() {
                    match definitions.by_label.entry(key(&definition.label)) {
                        std::collections::hash_map::Entry::Occupied(_) => {
                            definitions.duplicates.push(definition)
                        }
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert(definition);
                        }
                    }
                }
            }
            (event, Some(definition)) => definition.events.push((event, range)),
            (event, None) => body.push((event, range)),
        }
    }
    (body, definitions)
}

/// Numbering and back references of the notes of one text.
pub(super) struct Notes<'a> {
    definitions: Definitions<'a>,
    id_prefix: String,
    numbers: HashMap<String, usize>,
    /// Normalised labels, by number - 1.
    order: Vec<String>,
    labels: Vec<String>,
    /// Reference ids, by number - 1.
    references: Vec<Vec<String>>,
    rendered: usize,
}

impl<'a> Notes<'a> {
    pub fn new(definitions: Definitions<'a>, id_prefix: &str) -> Self {
        Notes {
            definitions,
            id_prefix: id_prefix.to_string(),
            numbers: HashMap::new(),
            order: Vec::new(),
            labels: Vec::new(),
            references: Vec::new(),
            rendered: 0,
        }
    }

    fn note_id(&self, number: usize) -> String {
        format!("{}fn-{number}", self.id_prefix)
    }

    /// The HTML of a reference to `label`, numbering the note on its first reference; `None`
    /// when no such note is defined.
    pub fn reference(&mut self, label: &str) -> Option<String> {
        let key = key(label);
        let number = match self.numbers.get(&key) {
            Some(&number) => number,
            None => {
                if !self.definitions.by_label.contains_key(&key) {
                    return None;
                }
                self.add(key, label)
            }
        };
        Some(self.link(number))
    }

    /// A note folio writes (a citation in a notes style), numbered here among the author's
    /// notes; its number and the HTML of the reference to it. `label` is what was written.
    pub fn generated(&mut self, label: &str) -> (usize, String) {
        // No label the author writes starts with NUL (the parser replaces it), so none
        // collides with this key.
        let key = format!("\0{}", self.order.len());
        let number = self.add(key, label);
        (number, self.link(number))
    }

    fn add(&mut self, key: String, label: &str) -> usize {
        self.order.push(key.clone());
        self.labels.push(label.to_string());
        self.references.push(Vec::new());
        self.numbers.insert(key, self.order.len());
        self.order.len()
    }

    /// A new reference to note `number`.
    fn link(&mut self, number: usize) -> String {
        let refs = &mut self.references[number - 1];
        let id = format!("{}fnref-{number}-{}", self.id_prefix, refs.len() + 1);
        refs.push(id.clone());
        format!(
            r##"<sup class="fn-ref"><a id="{id}" href="#{}" role="doc-noteref">{number}</a></sup>"##,
            self.note_id(number)
        )
    }

    /// The next referenced note still to render, with its number and the author's text of it
    /// (`None` for a note folio writes).
    pub fn next_definition(&mut self) -> Option<(usize, Option<Vec<Spanned<'a>>>)> {
        let key = self.order.get(self.rendered)?;
        let events = self
            .definitions
            .by_label
            .get_mut(key)
            .map(|definition| std::mem::take(&mut definition.events));
        self.rendered += 1;
        Some((self.rendered, events))
    }

    /// Joins the rendered notes with their numbers and back references.
    pub fn finish(&mut self, htmls: Vec<String>) -> Vec<Footnote> {
        htmls
            .into_iter()
            .enumerate()
            .map(|(i, html)| {
                let refs = &self.references[i];
                let backrefs = refs
                    .iter()
                    .enumerate()
                    .map(|(k, id)| BackRef {
                        id: id.clone(),
                        label: if refs.len() > 1 {
                            backref_letter(k)
                        } else {
                            String::new()
                        },
                    })
                    .collect();
                Footnote {
                    number: i + 1,
                    label: self.labels[i].clone(),
                    id: self.note_id(i + 1),
                    html,
                    backrefs,
                }
            })
            .collect()
    }

    /// Warnings for notes defined but never referenced, errors for labels defined twice.
    pub fn unused(&self, input: &MarkdownInput<'_>) -> Vec<Diagnostic> {
        let mut problems: Vec<Diagnostic> = self
            .definitions
            .by_label
            .iter()
            .filter(|(key, _)| !self.numbers.contains_key(*key))
            .map(|(_, def)| {
                let warning = Diagnostic::warning(
                    input.path,
                    format!(
                        "footnote `[^{}]` is defined but never referenced",
                        def.label
                    ),
                );
                input
                    .place(warning, def.offset)
                    .width(def.label.chars().count() + 3)
                    .help(format!(
                        "cite it in the text with `[^{}]`, or delete the definition",
                        def.label
                    ))
            })
            .collect();
        problems.extend(self.definitions.duplicates.iter().map(|def| {
            let error = Diagnostic::error(
                input.path,
                format!("footnote `[^{}]` is defined twice", def.label),
            );
            input
                .place(error, def.offset)
                .width(def.label.chars().count() + 3)
                .help("give each note its own label, or delete one of the definitions")
        }));
        problems.sort_by_key(|d| (d.line, d.column));
        problems
    }
}

/// "a" … "z", then "aa", "ab" …, for telling apart the references to one note.
fn backref_letter(index: usize) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    if index < 26 {
        (letters[index] as char).to_string()
    } else {
        format!(
            "{}{}",
            backref_letter(index / 26 - 1),
            letters[index % 26] as char
        )
    }
}

/// A note's HTML; a note of one paragraph loses its `<p>` so the back links sit beside it.
pub(super) fn note_html(body: Vec<Event<'_>>) -> String {
    let paragraphs = body
        .iter()
        .filter(|e| matches!(e, Event::Start(Tag::Paragraph)))
        .count();
    let single = paragraphs == 1
        && matches!(body.first(), Some(Event::Start(Tag::Paragraph)))
        && matches!(body.last(), Some(Event::End(TagEnd::Paragraph)));
    let mut html = String::new();
    if single {
        let inner = body.len() - 1;
        pulldown_cmark::html::push_html(&mut html, body.into_iter().take(inner).skip(1));
    } else {
        pulldown_cmark::html::push_html(&mut html, body.into_iter());
    }
    html.trim_end().to_string()
}

/// Footnote references left as text, `[^label]`, because no note has that label: their byte
/// offsets in `text` and labels.
pub(super) fn unresolved_references(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.match_indices("[^").filter_map(move |(at, _)| {
        let rest = &text[at + 2..];
        let end = rest.find(']')?;
        let label = &rest[..end];
        // A label holds no bracket (as in CommonMark), so `[^[^n]` is text and then `[^n]`:
        // the references found never overlap.
        let plausible =
            !label.is_empty() && !label.contains(|c: char| c.is_whitespace() || c == '[');
        plausible.then_some((at, label))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backref_letters_run_past_z() {
        assert_eq!(backref_letter(0), "a");
        assert_eq!(backref_letter(25), "z");
        assert_eq!(backref_letter(26), "aa");
    }

    #[test]
    fn finds_references_left_as_text() {
        let found: Vec<_> = unresolved_references("see [^gap] and [^ no] [x]").collect();
        assert_eq!(found, [(4, "gap")]);
        let nested: Vec<_> = unresolved_references("[^[^n] [^[^]").collect();
        assert_eq!(nested, [(2, "n")]);
    }
}
