//! `folio check`: every lint found with its file and line, and nothing else; its exit codes; its
//! JSON for CI; and the internal-link rule it shares with `build`.

use crate::common::{Site, assert_exit, folio, snapshot, stderr};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// Runs `folio check --root <root>` with extra arguments.
fn check(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    folio(&args)
}

/// The diagnostics of a `--format json` run, one object per stdout line.
fn json_diagnostics(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}")))
        .collect()
}

const PROBLEMS: &str = "content/briefs/with-problems/index.md";
const DRAFT: &str = "content/briefs/unfinished.md";

#[test]
fn check_finds_each_lint_on_its_line_and_nothing_else() {
    let site = Site::fixture("lints");
    let run = check(site.root(), &["--format", "json"]);
    assert_exit(&run, 1);
    let mut found: Vec<(String, String, u64, String)> = json_diagnostics(&run)
        .iter()
        .map(|d| {
            (
                d["severity"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: &[(&str, &str, u64, &str)] = &[
        (
            "warning",
            "content/authors/charles-babbage.md",
            1,
            "Charles Babbage has no biography",
        ),
        ("warning", DRAFT, 11, "figure 1 has no alt text"),
        ("warning", DRAFT, 11, "figure 1 has no credit"),
        ("warning", PROBLEMS, 1, "the brief has no summary"),
        ("warning", PROBLEMS, 7, "the image has no alt text"),
        ("warning", PROBLEMS, 9, "level-1 heading `A Second Title`"),
        ("warning", PROBLEMS, 13, "heading `Too Deep` skips"),
        ("warning", PROBLEMS, 15, "figure 1 has no credit"),
        ("warning", PROBLEMS, 17, "figure 2 has no alt text"),
        ("error", PROBLEMS, 21, "link to `/briefs/no-such-brief/`"),
        (
            "error",
            PROBLEMS,
            21,
            "link to `/briefs/unfinished/`, a draft",
        ),
        ("error", PROBLEMS, 22, "link to `data.csv`"),
        (
            "warning",
            PROBLEMS,
            24,
            "`[^unused]` is defined but never referenced",
        ),
    ];
    assert_eq!(
        found.len(),
        expected.len(),
        "exactly the expected diagnostics: {found:#?}"
    );
    for (severity, path, line, message) in expected {
        let at = found.iter().position(|(s, p, l, m)| {
            s == severity && p == path && l == line && m.contains(message)
        });
        let Some(at) = at else {
            panic!("missing {severity} at {path}:{line} ({message}) in {found:#?}");
        };
        found.remove(at);
    }
}

#[test]
fn check_prints_diagnostics_with_places_and_hints_then_a_count() {
    let site = Site::fixture("lints");
    let err = assert_exit(&check(site.root(), &[]), 1);
    assert!(
        err.contains(&format!("--> {PROBLEMS}:13:1")),
        "file, line and column:\n{err}"
    );
    assert!(
        err.contains("13 | #### Too Deep"),
        "the source line:\n{err}"
    );
    assert!(
        err.contains("= help: make it a level-3 heading"),
        "a hint:\n{err}"
    );
    assert!(
        err.trim_end().ends_with("3 errors, 10 warnings"),
        "the count comes last:\n{err}"
    );
}

#[test]
fn check_json_has_a_place_and_a_hint_for_every_diagnostic() {
    let site = Site::fixture("lints");
    let run = check(site.root(), &["--format", "json"]);
    let diagnostics = json_diagnostics(&run);
    assert!(!diagnostics.is_empty());
    for d in &diagnostics {
        assert!(
            d["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("content/"))
        );
        assert!(d["line"].as_u64().unwrap() >= 1, "{d}");
        assert!(d["column"].as_u64().unwrap() >= 1, "{d}");
        assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()), "{d}");
    }
    assert!(stderr(&run).contains("3 errors, 10 warnings"));
}

#[test]
fn check_on_the_example_site_is_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = check(root, &["--deny-warnings"]);
    let err = assert_exit(&run, 0);
    assert!(err.contains("0 errors, 0 warnings"), "{err}");
}

#[test]
fn check_writes_nothing() {
    let site = Site::fixture("lints");
    let before = snapshot(site.root());
    check(site.root(), &[]);
    assert!(snapshot(site.root()) == before, "check changed the site");
    assert!(!site.output().exists(), "check wrote an output folder");
}

// --- Exit codes ---------------------------------------------------------------------------

/// The minimal site's one brief has no summary: one warning.
#[test]
fn warnings_exit_zero_unless_denied() {
    let site = Site::fixture("minimal");
    let err = assert_exit(&check(site.root(), &[]), 0);
    assert!(err.contains("0 errors, 1 warning"), "{err}");
    let err = assert_exit(&check(site.root(), &["--deny-warnings"]), 1);
    assert!(err.contains("the brief has no summary"), "{err}");
}

#[test]
fn content_errors_exit_one_and_are_all_listed() {
    let site = Site::fixture("broken/many-errors");
    let err = assert_exit(&check(site.root(), &[]), 1);
    assert!(err.contains("unknown field `autors`"), "{err}");
    assert!(
        err.contains("`2025-02-30` is not a date that exists"),
        "{err}"
    );
}

#[test]
fn settings_errors_exit_two() {
    let site = Site::fixture("minimal");
    site.write("site.toml", "title = \"T\"\nbase_ulr = \"https://x.org\"\n");
    let run = check(site.root(), &["--format", "json"]);
    assert_exit(&run, 2);
    let diagnostics = json_diagnostics(&run);
    assert_eq!(diagnostics[0]["path"], "site.toml");
    assert_eq!(diagnostics[0]["line"], 2);
}

#[test]
fn check_reports_what_build_reports_for_a_template_error() {
    let site = Site::fixture("minimal");
    site.write(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ no_such_thing.field }}{% endblock %}",
    );
    site.write(
        "content/pages/about.md",
        "---\ntitle: About\n---\n\nHello.\n",
    );
    let built = stderr(&site.build(&[]));
    let err = assert_exit(&check(site.root(), &[]), 1);
    assert!(err.contains("templates/page.html"), "{err}");
    assert!(built.contains("templates/page.html"), "{built}");
}

// --- Internal links: errors in `build` too ------------------------------------------------

fn brief_linking_to(target: &str) -> String {
    format!(
        "---\ntitle: Second brief\ndate: 2025-03-02\nauthors: [ada-lovelace]\nsummary: S.\n---\n\n\
         See [the first brief]({target}).\n"
    )
}

#[test]
fn build_fails_on_a_broken_internal_link_with_a_suggestion() {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/second-brief.md",
        &brief_linking_to("/briefs/frist-brief/"),
    );
    let err = assert_exit(&site.build(&[]), 1);
    assert!(
        err.contains("content/briefs/second-brief.md:8:5"),
        "placed:\n{err}"
    );
    assert!(
        err.contains("did you mean `/briefs/first-brief/`?"),
        "{err}"
    );
    assert!(!site.output().exists(), "nothing is written");

    site.write(
        "content/briefs/second-brief.md",
        &brief_linking_to("../first-brief/#notes"),
    );
    site.build_ok(&[]);
}

#[test]
fn a_link_to_a_draft_fails_the_published_build_but_not_a_drafts_build() {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/second-brief.md",
        &brief_linking_to("/briefs/first-brief/"),
    );
    let first = site.root().join("content/briefs/first-brief.md");
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(&first, text.replacen("---\n", "---\ndraft: true\n", 1)).unwrap();
    assert_exit(&site.build(&[]), 1);
    site.build_ok(&["--drafts"]);
    let err = assert_exit(&check(site.root(), &[]), 1);
    assert!(
        err.contains("a draft that the published site leaves out"),
        "{err}"
    );
}

/// Links written from the root lead outside a site whose base_url has a path: a warning, as a
/// staging build (`--base-url https://staging.example.org/preview/`) of content written for `/`
/// must still build; a link to no page at all stays an error.
#[test]
fn links_from_the_site_root_follow_the_base_url_path() {
    let site = Site::fixture("minimal");
    site.write(
        "content/briefs/second-brief.md",
        &brief_linking_to("/briefs/first-brief/"),
    );
    let err = assert_exit(&site.build(&["--base-url", "https://x.org/think"]), 0);
    assert!(!err.contains("warning"), "{err}");
    let page = site.page("/briefs/second-brief/");
    let hrefs: Vec<&str> = page
        .select(&crate::common::sel(".brief-body a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(hrefs.contains(&"/think/briefs/first-brief/"), "{hrefs:?}");

    site.write(
        "content/briefs/second-brief.md",
        &brief_linking_to("/think/briefs/first-brief/"),
    );
    let err = assert_exit(&site.build(&["--base-url", "https://x.org/think"]), 0);
    assert!(!err.contains("warning"), "{err}");
    let page = site.page("/briefs/second-brief/");
    assert!(
        page.select(&crate::common::sel("a[href='/think/briefs/first-brief/']"))
            .next()
            .is_some()
    );

    site.write(
        "content/briefs/second-brief.md",
        &brief_linking_to("/briefs/no-such-brief/"),
    );
    assert_exit(&site.build(&["--base-url", "https://x.org/think"]), 1);
}
