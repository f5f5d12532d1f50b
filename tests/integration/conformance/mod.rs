//! Conformance: the CommonMark spec's 652 examples, and folio's own examples of its extensions
//! (tables, strikethrough, footnotes), through the Markdown stage a brief's body goes through.
//!
//! The spec is read from the published npm package `commonmark-spec` (its `spec.txt`, from
//! which the spec's `spec.json` is made; the package ships no `spec.json`), installed into
//! `tests/commonmark/node_modules` by `npm ci --prefix tests/commonmark`, which the README's
//! test command and `.ci/run` run before `cargo test`. The test installs nothing itself (no
//! network from `cargo test`); without the package it fails and says how to install it: a
//! conformance suite that passes without its examples would claim what it has not checked.

mod differences;
mod examples;
mod normalize;

use differences::Differences;
use examples::Example;
use folio::markdown::{MarkdownInput, render_markdown};
use normalize::{serialize, tokenize};
use std::collections::BTreeMap;
use std::path::Path;

const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/commonmark/node_modules/commonmark-spec/spec.txt"
);
const SPEC_EXAMPLES: usize = 652;
const EXTENSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/commonmark/extensions.md"
);

/// How one example came out.
enum Outcome {
    Passed,
    /// Equal once the kinds of intended difference named were undone.
    Intended(Vec<&'static str>),
    Unexplained {
        expected: String,
        actual: String,
    },
}

/// The spec's text, or a failure that says how to install it.
fn read_spec() -> String {
    std::fs::read_to_string(SPEC).unwrap_or_else(|e| {
        panic!(
            "the CommonMark spec is not installed ({SPEC}: {e}).\n\
             Install it with:  npm ci --prefix tests/commonmark   (or: cd tests/commonmark && npm ci)"
        )
    })
}

/// A brief's body through folio's Markdown stage, its notes after it as an ordered list
/// (`<li id>` with the note's HTML and its back links), standing in for the theme's Notes.
fn render(markdown: &str) -> String {
    let input = MarkdownInput {
        text: markdown,
        first_line: 1,
        path: Path::new("content/briefs/example.md"),
        id_prefix: "",
        root_path: "",
    };
    let rendered = render_markdown(&input).0;
    let mut html = rendered.html;
    if !rendered.footnotes.is_empty() {
        html.push_str("<ol class=\"notes\">\n");
        for note in &rendered.footnotes {
            html.push_str(&format!("<li id=\"{}\">{}", note.id, note.html));
            for back in &note.backrefs {
                html.push_str(&format!(" <a href=\"#{}\">↩{}</a>", back.id, back.label));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ol>\n");
    }
    html
}

/// Renders an example and compares it with its expected HTML, both normalised.
fn judge(example: &Example, differences: &Differences) -> Outcome {
    let expected = serialize(&tokenize(&example.html));
    let mut tokens = tokenize(&render(&example.markdown));
    let actual = serialize(&tokens);
    if actual == expected {
        return Outcome::Passed;
    }
    let undone = differences.undo(&mut tokens, &tokenize(&example.html));
    if serialize(&tokens) == expected {
        Outcome::Intended(undone)
    } else {
        Outcome::Unexplained { expected, actual }
    }
}

/// Counts per section, and what failed.
#[derive(Default)]
struct Report {
    passed: usize,
    intended: BTreeMap<String, usize>,
    intended_by_section: BTreeMap<String, BTreeMap<&'static str, usize>>,
    failures: Vec<String>,
}

impl Report {
    fn add(&mut self, example: &Example, outcome: Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Intended(kinds) => {
                let section = self
                    .intended_by_section
                    .entry(example.section.clone())
                    .or_default();
                for kind in kinds {
                    *section.entry(kind).or_default() += 1;
                }
                *self.intended.entry(example.section.clone()).or_default() += 1;
            }
            Outcome::Unexplained { expected, actual } => self.failures.push(format!(
                "example {} ({}):\n  markdown: {:?}\n  expected: {expected}\n  folio:    {actual}",
                example.number, example.section, example.markdown
            )),
        }
    }

    fn print(&self, title: &str, total: usize) {
        let intended: usize = self.intended.values().sum();
        println!(
            "{title}: {total} examples: {} passed, {intended} intended differences, {} unexplained failures",
            self.passed,
            self.failures.len()
        );
        for (section, kinds) in &self.intended_by_section {
            let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
            println!(
                "  {section}: {} intended ({})",
                self.intended[section],
                kinds.join(", ")
            );
        }
        for failure in &self.failures {
            println!("{failure}");
        }
    }

    fn assert_clean(&self, file: &str) {
        assert!(
            self.failures.is_empty(),
            "{} examples of {file} differ without a documented reason (see above)",
            self.failures.len()
        );
    }
}

fn run(title: &str, examples: &[Example], differences: &Differences) -> Report {
    let mut report = Report::default();
    for example in examples {
        let outcome = judge(example, differences);
        report.add(example, outcome);
    }
    report.print(title, examples.len());
    report
}

#[test]
fn commonmark_spec_examples_render_as_the_standard_says() {
    let examples = examples::parse(&read_spec());
    assert_eq!(examples.len(), SPEC_EXAMPLES, "examples read from {SPEC}");
    let differences = Differences::load();
    let report = run("CommonMark 0.31.2", &examples, &differences);
    report.assert_clean(SPEC);
}

#[test]
fn extension_examples_render_as_their_rules_say() {
    let text = std::fs::read_to_string(EXTENSIONS).unwrap_or_else(|e| panic!("{EXTENSIONS}: {e}"));
    let examples = examples::parse(&text);
    assert!(examples.len() >= 20, "examples read from {EXTENSIONS}");
    let differences = Differences::load();
    let report = run("folio's extensions", &examples, &differences);
    report.assert_clean(EXTENSIONS);
}
