//! `folio new` and `folio init`: what they write builds at once, and they never write over a
//! file or into a site that is already there.

use crate::common::{Site, assert_exit, folio, sel, snapshot, text_of};
use crate::site_pages::assert_internal_links_resolve;
use std::path::Path;
use std::process::Output;

/// Runs `folio new <args…> --root <site>`.
fn new(site: &Site, args: &[&str]) -> Output {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--root", site.root().to_str().unwrap()]);
    folio(&all)
}

const NEW_BRIEF: &str = "content/briefs/closing-the-skills-gap.md";

#[test]
fn new_brief_writes_a_dated_draft_that_builds() {
    let site = Site::fixture("minimal");
    let run = new(
        &site,
        &[
            "brief",
            "Closing the Skills Gap",
            "--author",
            "ada-lovelace",
        ],
    );
    assert_exit(&run, 0);
    assert!(String::from_utf8_lossy(&run.stdout).contains(NEW_BRIEF));
    let text = std::fs::read_to_string(site.root().join(NEW_BRIEF)).unwrap();
    let today = chrono::Local::now().date_naive().format("%Y-%m-%d");
    assert!(text.contains(&format!("\ndate: {today}\n")), "{text}");
    assert!(text.contains("\ndraft: true\n"), "{text}");
    assert!(text.contains("authors: [ada-lovelace]"), "{text}");
    assert!(
        text.contains("[^first-note]:"),
        "a footnote example:\n{text}"
    );

    site.build_ok(&["--drafts"]);
    let page = site.page("/briefs/closing-the-skills-gap/");
    assert_eq!(
        text_of(page.select(&sel("h1")).next().unwrap()),
        "Closing the Skills Gap"
    );
    assert_eq!(
        page.select(&sel("section#notes li")).count(),
        1,
        "the footnote example is a note"
    );
    site.build_ok(&[]);
    assert!(
        !site.output().join("briefs/closing-the-skills-gap").exists(),
        "a draft is left out of the published site"
    );
}

#[test]
fn new_brief_with_a_quoted_title_and_two_authors_builds() {
    let site = Site::fixture("minimal");
    assert_exit(&new(&site, &["author", "Charles Babbage"]), 0);
    let title = r#"Why "Net Zero": A Primer"#;
    let run = new(
        &site,
        &[
            "brief",
            title,
            "--author",
            "ada-lovelace",
            "--author",
            "charles-babbage",
            "--slug",
            "net-zero-primer",
        ],
    );
    assert_exit(&run, 0);
    site.build_ok(&["--drafts"]);
    let page = site.page("/briefs/net-zero-primer/");
    assert_eq!(text_of(page.select(&sel("h1")).next().unwrap()), title);
    assert!(
        page.select(&sel("a[href='/authors/charles-babbage/']"))
            .next()
            .is_some()
    );
}

#[test]
fn new_brief_refuses_to_overwrite() {
    let site = Site::fixture("minimal");
    let args = [
        "brief",
        "Closing the Skills Gap",
        "--author",
        "ada-lovelace",
    ];
    assert_exit(&new(&site, &args), 0);
    let path = site.root().join(NEW_BRIEF);
    std::fs::write(&path, "edited by hand\n").unwrap();
    let err = assert_exit(&new(&site, &args), 2);
    assert!(err.contains("already there"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited by hand\n");

    let err = assert_exit(
        &new(&site, &["brief", "First Brief", "--author", "ada-lovelace"]),
        2,
    );
    assert!(
        err.contains("content/briefs/first-brief.md"),
        "the fixture's own brief:\n{err}"
    );
}

#[test]
fn new_brief_refuses_an_unknown_author_and_writes_nothing() {
    let site = Site::fixture("minimal");
    let before = snapshot(site.root());
    let err = assert_exit(
        &new(
            &site,
            &[
                "brief",
                "Closing the Skills Gap",
                "--author",
                "ada-lovelase",
            ],
        ),
        2,
    );
    assert!(err.contains("unknown author `ada-lovelase`"), "{err}");
    assert!(err.contains("did you mean `ada-lovelace`?"), "{err}");
    assert!(snapshot(site.root()) == before, "nothing was written");

    let err = assert_exit(&new(&site, &["brief", "Closing the Skills Gap"]), 2);
    assert!(err.contains("at least one author"), "{err}");
    assert!(
        err.contains("ada-lovelace"),
        "the authors are listed:\n{err}"
    );
    assert!(snapshot(site.root()) == before, "nothing was written");
}

#[test]
fn new_author_writes_a_person_that_builds_and_refuses_to_overwrite() {
    let site = Site::fixture("minimal");
    assert_exit(&new(&site, &["author", "Grace Hopper"]), 0);
    let path = site.root().join("content/authors/grace-hopper.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("name: \"Grace Hopper\""), "{text}");
    site.build_ok(&[]);
    assert!(
        site.output()
            .join("authors/grace-hopper/index.html")
            .is_file()
    );
    let err = assert_exit(&new(&site, &["author", "Grace Hopper"]), 2);
    assert!(err.contains("already there"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn new_outside_a_site_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let run = folio(&[
        "new",
        "author",
        "Grace Hopper",
        "--root",
        empty.path().to_str().unwrap(),
    ]);
    let err = assert_exit(&run, 2);
    assert!(err.contains("folio init"), "{err}");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

/// Runs `folio init <dir>` in a fresh temporary folder; returns the folder and the site in it.
fn init() -> (tempfile::TempDir, std::path::PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme-briefs");
    let run = folio(&["init", dir.to_str().unwrap()]);
    assert_exit(&run, 0);
    (parent, dir)
}

#[test]
fn init_creates_a_site_that_builds_without_warnings() {
    let (_parent, dir) = init();
    let output = dir.join("public");
    let run = folio(&[
        "build",
        "--root",
        dir.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    let err = assert_exit(&run, 0);
    assert!(!err.contains("warning"), "no warnings:\n{err}");
    assert!(
        !String::from_utf8_lossy(&run.stdout).contains("warning"),
        "no warnings"
    );
    for page in [
        "index.html",
        "briefs/first-brief/index.html",
        "briefs/first-brief/reading-time.svg",
        "authors/jane-doe/index.html",
        "about/index.html",
    ] {
        assert!(output.join(page).is_file(), "{page} is built");
    }
    assert_internal_links_resolve(&output);
    assert!(
        !dir.join("themes").exists(),
        "the built-in theme is used, not copied"
    );
    let title = std::fs::read_to_string(dir.join("site.toml")).unwrap();
    assert!(title.contains("title = \"Acme Briefs\""), "{title}");
}

#[test]
fn init_output_passes_check_without_warnings() {
    let (_parent, dir) = init();
    let run = folio(&["check", "--root", dir.to_str().unwrap(), "--deny-warnings"]);
    let err = assert_exit(&run, 0);
    assert!(err.contains("0 errors, 0 warnings"), "{err}");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let parent = tempfile::tempdir().unwrap();
    std::fs::write(parent.path().join("notes.txt"), "keep me\n").unwrap();
    let err = assert_exit(&folio(&["init", parent.path().to_str().unwrap()]), 2);
    assert!(err.contains("not empty"), "{err}");
    let left: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "nothing was added");
    assert_eq!(
        std::fs::read_to_string(parent.path().join("notes.txt")).unwrap(),
        "keep me\n"
    );
}

#[test]
fn init_into_an_empty_folder_works() {
    let parent = tempfile::tempdir().unwrap();
    assert_exit(&folio(&["init", parent.path().to_str().unwrap()]), 0);
    assert!(Path::new(&parent.path().join("site.toml")).is_file());
}
