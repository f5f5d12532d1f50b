//! Broken sites: every mistake is reported with its file, line and a fix, and nothing is written.

use crate::common::{Site, folio, snapshot, stderr};
use std::path::Path;
use std::process::Output;

/// The minimal site's one brief, which the tests below break in many ways.
const BRIEF: &str = "content/briefs/first-brief.md";

/// A brief: `---`, the front matter lines (line 2 on), `---`, a blank line, the body.
fn brief(front_matter: &str, body: &str) -> String {
    format!("---\n{front_matter}---\n\n{body}")
}

/// The minimal site with its brief replaced by `text`.
fn site_with_brief(text: &str) -> Site {
    let site = Site::fixture("minimal");
    site.write(BRIEF, text);
    site
}

/// Asserts that the run failed with `code` without panicking, and returns its stderr.
fn failed(output: &Output, code: i32) -> String {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "expected exit code {code}; stderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "folio panicked:\n{err}");
    err
}

/// Asserts that the run succeeded without panicking, and returns its stderr.
fn succeeded(output: &Output) -> String {
    let err = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "expected success; stderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "folio panicked:\n{err}");
    err
}

/// Asserts that every one of `needles` appears in `err`.
fn assert_mentions(err: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            err.contains(needle),
            "stderr should mention {needle:?}:\n{err}"
        );
    }
}

/// Asserts a diagnostic placed at `path:line:`.
fn assert_at(err: &str, path: &str, line: usize) {
    let place = format!("{path}:{line}:");
    assert!(
        err.contains(&place),
        "stderr should point at {place}:\n{err}"
    );
}

/// Runs `folio build` on `site` into `output` instead of its `public/`.
fn build_into(site: &Site, output: &Path) -> Output {
    let root = site.root().to_str().unwrap();
    folio(&[
        "build",
        "--root",
        root,
        "--output",
        output.to_str().unwrap(),
    ])
}

/// The names of the staging folders a build leaves beside `output`, if any.
fn leftovers_beside(output: &Path) -> Vec<String> {
    let name = output.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!(".{name}.folio-");
    std::fs::read_dir(output.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|file| file.starts_with(&prefix))
        .collect()
}

// --- Brief front matter -------------------------------------------------------------------

#[test]
fn unknown_field_suggests_the_nearest_known_one() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nautors: [ada-lovelace]\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 4);
    assert_mentions(&err, &["unknown field `autors`", "did you mean `authors`?"]);
}

#[test]
fn missing_required_fields_are_each_named() {
    let site = site_with_brief(&brief("summary: Only a summary.\n", "Body.\n"));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 1);
    for field in ["title", "date", "authors"] {
        assert_mentions(&err, &[&format!("required field `{field}` is missing")]);
    }
}

#[test]
fn title_given_as_a_list_is_a_type_error() {
    let site = site_with_brief(&brief(
        "date: 2025-03-01\nauthors: [ada-lovelace]\ntitle:\n  - Part one\n  - Part two\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 4);
    assert_mentions(&err, &["`title` must be text", "a list"]);
}

#[test]
fn draft_given_as_text_is_a_type_error() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\ndraft: \"yes\"\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 5);
    assert_mentions(&err, &["`draft` must be true or false", "draft: true"]);
}

#[test]
fn date_that_does_not_exist_is_an_error() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-02-30\nauthors: [ada-lovelace]\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 3);
    assert_mentions(&err, &["`2025-02-30` is not a date that exists"]);
}

#[test]
fn date_in_the_wrong_form_is_an_error() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025/03/01\nauthors: [ada-lovelace]\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 3);
    assert_mentions(&err, &["`2025/03/01`", "YYYY-MM-DD"]);
}

#[test]
fn bad_updated_date_is_reported_beside_a_good_date() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\nupdated: 2025-13-01\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 5);
    assert_mentions(&err, &["`2025-13-01` is not a date that exists"]);
    assert!(
        !err.contains(&format!("{BRIEF}:3:")),
        "the good date is not blamed:\n{err}"
    );
}

/// A wrong required field must not hide the mistakes in the optional fields after it.
#[test]
fn every_field_error_in_one_file_is_reported() {
    let site = site_with_brief(&brief(
        "title:\n  - Part one\n  - Part two\ndate: 2025-02-30\nauthors: [ada-lovelace]\n\
         updated: 2025/04/01\ndraft: \"yes\"\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 2);
    assert_mentions(&err, &["`title` must be text"]);
    assert_at(&err, BRIEF, 5);
    assert_mentions(&err, &["`2025-02-30` is not a date that exists"]);
    assert_at(&err, BRIEF, 7);
    assert_mentions(&err, &["`2025/04/01` is not a date in the form YYYY-MM-DD"]);
    assert_at(&err, BRIEF, 8);
    assert_mentions(&err, &["`draft` must be true or false"]);
}

#[test]
fn slug_field_that_is_not_a_slug_is_an_error() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\nslug: My Brief\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 5);
    assert_mentions(&err, &["`My Brief` is not a valid slug", "slug: my-brief"]);
}

/// A file name is not on any line, so the diagnostic names the file alone.
#[test]
fn file_name_that_is_not_a_slug_is_an_error() {
    let site = Site::fixture("minimal");
    std::fs::rename(
        site.root().join(BRIEF),
        site.root().join("content/briefs/My Brief.md"),
    )
    .unwrap();
    let err = failed(&site.build(&[]), 1);
    assert_mentions(
        &err,
        &[
            "content/briefs/My Brief.md",
            "`My Brief` is not a valid slug",
            "my-brief",
        ],
    );
}

#[test]
fn unknown_author_suggests_a_near_one() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nauthors: [ada-lovelase]\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 4);
    assert_mentions(
        &err,
        &[
            "unknown author `ada-lovelase`",
            "did you mean `ada-lovelace`?",
        ],
    );
}

/// An unknown slug that is part of a known one (`ada` in `ada-lovelace`) is still placed on
/// its own line of a block list.
#[test]
fn unknown_author_in_a_block_list_is_reported_on_its_own_line() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nauthors:\n  - ada-lovelace\n  - ada\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_mentions(&err, &["unknown author `ada`"]);
    assert_at(&err, BRIEF, 6);
    assert!(
        !err.contains(&format!("{BRIEF}:5:")),
        "the known author is not blamed:\n{err}"
    );
}

#[test]
fn duplicate_slugs_name_both_files() {
    let site = Site::fixture("broken/duplicate-slugs");
    let err = failed(&site.build(&[]), 1);
    assert_mentions(
        &err,
        &[
            "two briefs have the slug `carbon-tax`",
            "content/briefs/carbon-tax.md",
            "content/briefs/carbon-tax-revised.md",
        ],
    );
}

// --- The shape of a file ------------------------------------------------------------------

#[test]
fn front_matter_never_closed_is_an_error() {
    let site = site_with_brief(
        "---\ntitle: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n\nBody.\n",
    );
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 1);
    assert_mentions(&err, &["the front matter is never closed"]);
}

#[test]
fn file_without_front_matter_is_an_error() {
    let site = site_with_brief("# First brief\n\nJust a body, no fields.\n");
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 1);
    assert_mentions(&err, &["does not start with front matter"]);
}

#[test]
fn empty_file_is_an_error() {
    for text in ["", " \n\n"] {
        let site = site_with_brief(text);
        let err = failed(&site.build(&[]), 1);
        assert_mentions(&err, &[BRIEF, "the file is empty"]);
    }
}

#[test]
fn non_utf8_file_is_an_error_with_its_line() {
    let site = Site::fixture("minimal");
    let bytes =
        b"---\ntitle: Caf\xe9 culture\ndate: 2025-03-01\nauthors: [ada-lovelace]\n---\n\nBody.\n";
    std::fs::write(site.root().join(BRIEF), bytes).unwrap();
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 2);
    assert_mentions(&err, &["not valid UTF-8"]);
}

/// The bad line is line 3 of the YAML block but line 4 of the file: the file's line is shown.
#[test]
fn invalid_yaml_is_reported_at_its_line_in_the_file() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nsummary: Costs: rising\nauthors: [ada-lovelace]\n",
        "Body.\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 4);
    assert!(
        !err.contains(&format!("{BRIEF}:3:")),
        "line in the YAML block, not the file:\n{err}"
    );
    assert_mentions(&err, &["not valid YAML", "4 | summary: Costs: rising"]);
}

// --- Footnotes ----------------------------------------------------------------------------

#[test]
fn undefined_footnote_reference_is_an_error_naming_the_label() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n",
        "First paragraph.\n\nA claim that needs a source.[^missing]\n",
    ));
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 9);
    assert_mentions(&err, &["`[^missing]`", "never defined"]);
}

#[test]
fn unreferenced_footnote_is_only_a_warning() {
    let site = site_with_brief(&brief(
        "title: First brief\ndate: 2025-03-01\nauthors: [ada-lovelace]\n",
        "First paragraph, citing nothing.\n\n[^spare]: A note nobody cites.\n",
    ));
    let err = succeeded(&site.build(&[]));
    assert!(
        site.output()
            .join("briefs/first-brief/index.html")
            .is_file()
    );
    assert_at(&err, BRIEF, 9);
    assert_mentions(&err, &["warning", "`[^spare]`", "never referenced"]);
    assert!(!err.contains("error"), "a warning only:\n{err}");
}

// --- site.toml ----------------------------------------------------------------------------

#[test]
fn site_toml_unknown_key_suggests_the_nearest_one() {
    let site = Site::fixture("minimal");
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://x.org\"\ndescripton = \"d\"\n\n\
         [organization]\nnmae = \"Institute\"\n",
    );
    let err = failed(&site.build(&[]), 2);
    assert_at(&err, "site.toml", 3);
    assert_mentions(
        &err,
        &[
            "unknown setting `descripton`",
            "did you mean `description`?",
        ],
    );
    assert_at(&err, "site.toml", 6);
    assert_mentions(
        &err,
        &["`organization.nmae`", "did you mean `organization.name`?"],
    );
    assert!(!site.output().exists(), "nothing is written");
}

#[test]
fn site_toml_wrong_type_is_a_configuration_error() {
    let site = Site::fixture("minimal");
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://x.org\"\npaginate = \"ten\"\n",
    );
    let err = failed(&site.build(&[]), 2);
    assert_at(&err, "site.toml", 3);
    assert_mentions(&err, &["invalid type", "\"ten\""]);
}

#[test]
fn site_toml_without_base_url_is_a_configuration_error() {
    let site = Site::fixture("minimal");
    site.write("site.toml", "title = \"T\"\ndescription = \"No address\"\n");
    let err = failed(&site.build(&[]), 2);
    assert_at(&err, "site.toml", 1);
    assert_mentions(&err, &["missing field `base_url`"]);
}

// --- Authors ------------------------------------------------------------------------------

#[test]
fn author_without_name_is_an_error() {
    let site = Site::fixture("minimal");
    site.write(
        "content/authors/ada-lovelace.md",
        "---\nrole: Senior Fellow\n---\n\nA bio.\n",
    );
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, "content/authors/ada-lovelace.md", 1);
    assert_mentions(&err, &["required field `name` is missing"]);
}

// --- The whole run ------------------------------------------------------------------------

/// Six kinds of problem that used to take four runs to see, stage after stage: an unknown
/// author, an unknown citation key, a note defined twice, a missing image, a link to no page,
/// and a second brief with the same slug. One `folio build` (and one `folio check`) reports
/// them all, each at its file and line.
#[test]
fn one_run_reports_every_kind_of_problem_at_once() {
    let site = Site::fixture("broken/every-kind-at-once");
    let first = "content/briefs/first-brief.md";
    let expected = [
        (first, 4, "unknown author `grace-hopper`"),
        (first, 7, "unknown citation key `@nosuchkey`"),
        (
            first,
            11,
            "image `chart.png`, which is not a file of this site",
        ),
        (first, 13, "link to `/briefs/no-such-brief/`"),
        (first, 16, "footnote `[^dup]` is defined twice"),
        (
            "content/briefs/second-brief.md",
            5,
            "two briefs have the slug `first-brief`",
        ),
    ];
    let root = site.root().to_str().unwrap();
    for run in [site.build(&[]), folio(&["check", "--root", root])] {
        let err = failed(&run, 1);
        for (file, line, message) in expected {
            assert_at(&err, file, line);
            assert_mentions(&err, &[message]);
        }
    }
    assert!(!site.output().exists(), "nothing is written");
}

#[test]
fn one_run_reports_every_error() {
    let site = Site::fixture("broken/many-errors");
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, "content/briefs/energy-prices.md", 4);
    assert_mentions(&err, &["unknown field `autors`"]);
    assert_at(&err, "content/briefs/housing-supply.md", 3);
    assert_mentions(&err, &["`2025-02-30` is not a date that exists"]);
    assert_at(&err, "content/briefs/digital-identity.md", 9);
    assert_mentions(&err, &["`[^survey]`"]);
    assert!(
        !err.contains("sound-brief.md"),
        "the sound brief is not blamed:\n{err}"
    );
    assert_mentions(&err, &["Build failed"]);
    assert!(!site.output().exists(), "nothing is written");
}

#[test]
fn failed_build_leaves_the_previous_output_untouched() {
    let site = Site::fixture("minimal");
    site.build_ok(&[]);
    let before = snapshot(&site.output());
    assert!(!before.is_empty());

    site.write(
        BRIEF,
        &brief("title: First brief\nautors: [ada-lovelace]\n", "Body.\n"),
    );
    failed(&site.build(&[]), 1);
    assert!(
        snapshot(&site.output()) == before,
        "a content error changed public/"
    );
    assert_eq!(leftovers_beside(&site.output()), Vec::<String>::new());

    site.write("site.toml", "title = \"T\"\nbase_ulr = \"https://x.org\"\n");
    failed(&site.build(&[]), 2);
    assert!(
        snapshot(&site.output()) == before,
        "a settings error changed public/"
    );
    assert_eq!(leftovers_beside(&site.output()), Vec::<String>::new());
}

// --- Refused output folders ---------------------------------------------------------------

#[test]
fn output_equal_to_the_site_root_is_refused() {
    let site = Site::fixture("minimal");
    let before = snapshot(site.root());
    let err = failed(&build_into(&site, site.root()), 2);
    assert_mentions(&err, &["refusing to build here"]);
    assert!(snapshot(site.root()) == before, "the site's files changed");
    assert!(site.root().join(BRIEF).is_file());
}

#[test]
fn output_folder_holding_a_site_toml_is_refused() {
    let site = Site::fixture("minimal");
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("site.toml"), "title = \"Another site\"\n").unwrap();
    std::fs::write(other.path().join("notes.txt"), "keep me\n").unwrap();
    let before = snapshot(other.path());
    let err = failed(&build_into(&site, other.path()), 2);
    assert_mentions(&err, &["refusing to build here", "site.toml"]);
    assert!(
        snapshot(other.path()) == before,
        "the other folder's files changed"
    );
    assert_eq!(leftovers_beside(other.path()), Vec::<String>::new());
}

/// Building into `content/` would replace the briefs with the built pages.
#[test]
fn output_inside_the_content_folder_is_refused() {
    let site = Site::fixture("minimal");
    let before = snapshot(site.root());
    let content = site.root().join("content");
    let err = failed(&build_into(&site, &content), 2);
    assert_mentions(&err, &["refusing to build here"]);
    assert!(snapshot(site.root()) == before, "the site's files changed");
    assert_eq!(leftovers_beside(&content), Vec::<String>::new());
}

/// An existing file is not an output folder: `--output site.toml` must not replace it.
#[test]
fn output_that_is_an_existing_file_is_refused() {
    let site = Site::fixture("minimal");
    let before = snapshot(site.root());
    let settings = site.root().join("site.toml");
    let err = failed(&build_into(&site, &settings), 2);
    assert_mentions(&err, &["refusing to build here"]);
    assert!(settings.is_file(), "site.toml is still a file");
    assert!(snapshot(site.root()) == before, "the site's files changed");
    assert_eq!(leftovers_beside(&settings), Vec::<String>::new());
}

/// `--output ~/Documents`: a folder folio did not make is never taken over, and nothing in it
/// is moved (not even into the build cache's spare folder).
#[test]
fn output_folder_folio_did_not_make_is_refused_and_left_as_it_was() {
    let site = Site::fixture("minimal");
    let documents = tempfile::tempdir().unwrap();
    std::fs::write(documents.path().join("thesis.docx"), "years of work\n").unwrap();
    let before = snapshot(documents.path());
    let err = failed(&build_into(&site, documents.path()), 2);
    assert_mentions(&err, &["refusing to build here", "did not write"]);
    assert!(
        snapshot(documents.path()) == before,
        "the folder's files changed"
    );
    // A second try is refused the same way: nothing was moved aside by the first.
    failed(&build_into(&site, documents.path()), 2);
    assert!(
        snapshot(documents.path()) == before,
        "the folder's files changed"
    );
}

/// An empty folder, and a folder folio built before, are folio's to replace.
#[test]
fn an_empty_output_folder_and_one_folio_built_are_replaced() {
    let site = Site::fixture("minimal");
    let empty = tempfile::tempdir().unwrap();
    succeeded(&build_into(&site, empty.path()));
    assert!(
        empty.path().join(".folio-output").is_file(),
        "the build marks its folder"
    );
    assert!(empty.path().join("index.html").is_file());
    succeeded(&build_into(&site, empty.path()));
}

/// A file an editor put where folio writes its own (`cite.bib` beside a brief, `atom.xml` in
/// `static/`) is an error naming it, not silently overwritten (nor overwriting folio's).
#[test]
fn a_site_file_where_folio_writes_its_own_is_an_error_naming_both() {
    let site = Site::fixture("minimal");
    site.write("static/atom.xml", "<feed>hand-made</feed>\n");
    let brief = site.root().join(BRIEF);
    std::fs::create_dir_all(site.root().join("content/briefs/first-brief")).unwrap();
    std::fs::rename(
        &brief,
        site.root().join("content/briefs/first-brief/index.md"),
    )
    .unwrap();
    site.write("content/briefs/first-brief/cite.bib", "@misc{mine}\n");
    let err = failed(&site.build(&[]), 1);
    assert_mentions(
        &err,
        &[
            "static/atom.xml",
            "would be published at `/atom.xml`",
            "content/briefs/first-brief/cite.bib",
            "`/briefs/first-brief/cite.bib`",
        ],
    );
    assert!(!site.output().exists());
}

// --- Byte order marks and Windows line ends -----------------------------------------------

#[test]
fn bom_and_crlf_files_build() {
    let site = Site::fixture("minimal");
    let crlf = "---\r\ntitle: Written on Windows\r\ndate: 2025-03-02\r\nauthors:\r\n  \
                - ada-lovelace\r\n---\r\n\r\nA body with a note.[^a]\r\n\r\n[^a]: The note.\r\n";
    site.write("content/briefs/crlf-brief.md", crlf);
    site.write(
        "content/briefs/bom-brief.md",
        &format!("\u{feff}{}", crlf.replace("Windows", "a BOM")),
    );
    succeeded(&site.build(&[]));
    for (url, title) in [
        ("/briefs/crlf-brief/", "Written on Windows"),
        ("/briefs/bom-brief/", "Written on a BOM"),
    ] {
        let page = site.page(url);
        let html = page.html();
        assert!(html.contains(title), "{url} shows its title");
        assert!(html.contains("The note."), "{url} has its note");
    }
}

#[test]
fn crlf_file_with_an_error_reports_the_right_line() {
    let site = site_with_brief(
        "\u{feff}---\r\ntitle: First brief\r\ndate: 2025-03-01\r\nauthors: [ada-lovelace]\r\n\
         autors: x\r\n---\r\n\r\nBody.\r\n\r\nMore[^nope].\r\n",
    );
    let err = failed(&site.build(&[]), 1);
    assert_at(&err, BRIEF, 5);
    assert_mentions(&err, &["unknown field `autors`", "did you mean `authors`?"]);
    assert_at(&err, BRIEF, 10);
    assert_mentions(&err, &["`[^nope]`"]);
    assert!(!err.contains('\r'), "no carriage return in the shown lines");
}
