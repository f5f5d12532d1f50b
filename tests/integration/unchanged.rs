//! A build whose inputs and output are as the last build left them writes nothing and says so;
//! a change to an input, to the output, to the options or to the briefs the clock shows builds
//! again.

use crate::common::{Site, folio_command, sel, text_of};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// 2026-01-04T00:00:00Z and 2026-01-05T00:00:00Z.
const JAN_4: &str = "1767484800";
const JAN_5: &str = "1767571200";

/// The minimal site, without PDFs (each build would typeset them: slow in a debug build).
fn small_site() -> Site {
    let site = Site::fixture("minimal");
    site.write(
        "site.toml",
        "title = \"Minimal Institute\"\nbase_url = \"https://briefs.example.org\"\n\n[pdf]\nenabled = false\n",
    );
    site
}

/// `folio build` of `site` into its public/ with `args` and `env`, insisting on success:
/// (stdout, stderr).
fn build(site: &Site, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let result = folio_command(Path::new(env!("CARGO_BIN_EXE_folio")))
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(site.output())
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("folio runs");
    let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    assert!(result.status.success(), "{stdout}{stderr}");
    (stdout, stderr)
}

/// Whether the build said it had nothing to do.
fn kept(stdout: &str) -> bool {
    stdout.starts_with("Nothing changed since the last build")
}

/// The numbers in a build's last line: pages and files.
fn counts(stdout: &str) -> Vec<String> {
    let words = stdout.split_whitespace();
    let numbers = words.map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()));
    numbers
        .filter(|w| !w.is_empty())
        .take(2)
        .map(str::to_string)
        .collect()
}

/// Builds `site` twice: the first build must build, the second must have nothing to do.
fn builds_again_after(site: &Site, change: &str) {
    let (stdout, _) = build(site, &[], &[]);
    assert!(!kept(&stdout), "after {change}: {stdout}");
    let (stdout, _) = build(site, &[], &[]);
    assert!(kept(&stdout), "after {change}, then nothing: {stdout}");
}

#[test]
fn a_build_with_nothing_changed_writes_nothing_and_gives_the_same_report() {
    let site = small_site();
    site.write(
        "content/briefs/empty.md",
        "---\ntitle: Empty\ndate: 2025-02-01\nauthors: [ada-lovelace]\n---\n",
    );
    let (built, warned) = build(&site, &[], &[]);
    assert!(!kept(&built), "{built}");
    assert!(warned.contains("this brief has no text"), "{warned}");
    let page = site.output().join("briefs/first-brief/index.html");
    let before = std::fs::metadata(&page).unwrap();

    let (again, warned_again) = build(&site, &[], &[]);
    assert!(kept(&again), "{again}");
    assert_eq!(counts(&again), counts(&built), "{again} / {built}");
    assert_eq!(warned_again, warned, "the same warnings, with their lines");
    let after = std::fs::metadata(&page).unwrap();
    assert_eq!(
        (after.ino(), after.ctime(), after.ctime_nsec()),
        (before.ino(), before.ctime(), before.ctime_nsec()),
        "the page was not written again"
    );

    // A file saved again with the same text is not a change.
    let brief = site.root().join("content/briefs/first-brief.md");
    std::fs::write(&brief, std::fs::read(&brief).unwrap()).unwrap();
    assert!(kept(&build(&site, &[], &[]).0));
}

#[test]
fn an_edited_input_builds_again() {
    let site = small_site();
    build(&site, &[], &[]);
    let brief = site.root().join("content/briefs/first-brief.md");
    let text = std::fs::read_to_string(&brief).unwrap();
    std::fs::write(
        &brief,
        text.replace("one paragraph", "one edited paragraph"),
    )
    .unwrap();
    builds_again_after(&site, "an edited brief");
    let page = site.page("/briefs/first-brief/");
    let body = page.select(&sel("main")).next().unwrap();
    assert!(text_of(body).contains("one edited paragraph"));

    site.write("static/extra.txt", "an extra file");
    builds_again_after(&site, "a static file added");
    assert!(site.output().join("extra.txt").is_file());

    // A bibliography a brief names outside the site's input folders.
    let entry = |title: &str| {
        format!("@report{{key, title = {{{title}}}, author = {{Doe, Jane}}, date = {{2024}}}}\n")
    };
    site.write("references/works.bib", &entry("Grid Report"));
    std::fs::write(
        &brief,
        text.replace(
            "authors:",
            "bibliography: ../../references/works.bib\nauthors:",
        )
        .replace("one note.[^one]", "one note.[^one] It cites [@key]."),
    )
    .unwrap();
    builds_again_after(&site, "a bibliography named");
    site.write("references/works.bib", &entry("Storage Report"));
    builds_again_after(&site, "a bibliography outside the input folders edited");
    let html = std::fs::read_to_string(site.output().join("briefs/first-brief/index.html"));
    assert!(html.unwrap().contains("Storage Report"));
}

#[test]
fn a_changed_output_is_built_again_as_it_was() {
    let site = small_site();
    build(&site, &[], &[]);
    let output = site.output();
    let page = output.join("briefs/first-brief/index.html");
    let original = std::fs::read(&page).unwrap();

    std::fs::write(&page, "defaced").unwrap();
    builds_again_after(&site, "a page edited");
    assert_eq!(std::fs::read(&page).unwrap(), original);

    std::fs::remove_file(output.join("sitemap.xml")).unwrap();
    builds_again_after(&site, "a file removed");
    assert!(output.join("sitemap.xml").is_file());

    std::fs::write(output.join("briefs/stray.txt"), "stray").unwrap();
    builds_again_after(&site, "a file added");
    assert!(!output.join("briefs/stray.txt").exists());
}

#[test]
fn other_options_build_again() {
    let site = small_site();
    build(&site, &[], &[]);
    for options in [
        &["--base-url", "https://other.example.org"][..],
        &["--drafts"],
    ] {
        let (stdout, _) = build(&site, options, &[]);
        assert!(!kept(&stdout), "{options:?}: {stdout}");
        builds_again_after(&site, &format!("a build with {options:?}"));
    }
}

#[test]
fn a_scheduled_brief_is_published_when_due_though_nothing_changed() {
    let site = small_site();
    site.write(
        "content/briefs/later.md",
        "---\ntitle: Later\ndate: 2026-01-05\nauthors: [ada-lovelace]\n---\n\nLater text.\n",
    );
    let later = site.output().join("briefs/later/index.html");
    let at = |epoch: &str| build(&site, &[], &[("SOURCE_DATE_EPOCH", epoch)]).0;

    assert!(!kept(&at(JAN_4)));
    assert!(!later.exists());
    assert!(kept(&at(JAN_4)), "not due yet: nothing to do");
    assert!(!kept(&at(JAN_5)), "due: built again");
    assert!(later.is_file());
    assert!(kept(&at(JAN_5)));
    assert!(!kept(&at(JAN_4)), "the clock set back: built again");
    assert!(!later.exists());
}
