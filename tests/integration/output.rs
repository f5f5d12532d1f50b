//! Writing the output: a fresh folder swapped in whole, stale files and leftovers gone.

use crate::common::Site;

/// The staging folders of killed or failed builds left beside the output.
fn staging_leftovers(site: &Site) -> Vec<String> {
    std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".folio-"))
        .collect()
}

#[test]
fn rebuild_replaces_the_output_whole_and_leaves_no_staging_folders() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    std::fs::write(site.output().join("stray.html"), "left from an old build").unwrap();
    std::fs::remove_file(site.root().join("content/briefs/older-brief.md")).unwrap();
    site.build_ok(&[]);
    assert!(
        !site.output().join("stray.html").exists(),
        "old files do not survive a build"
    );
    assert!(!site.output().join("briefs/older-brief").exists());
    assert!(
        site.output()
            .join("briefs/notes-twice/index.html")
            .is_file()
    );
    let leftovers = staging_leftovers(&site);
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn staging_folder_left_by_a_killed_build_is_removed_by_the_next() {
    let site = Site::fixture("features");
    let stale = site.root().join(".public.folio-new-99999");
    std::fs::create_dir_all(stale.join("briefs")).unwrap();
    site.build_ok(&[]);
    assert!(!stale.exists());
}

#[test]
fn base_url_with_a_path_prefixes_every_internal_link() {
    let site = Site::fixture("features");
    site.build_ok(&["--base-url", "https://example.org/think/"]);
    let page = site.page("/briefs/notes-twice/");
    let author = page
        .select(&crate::common::sel("a[href*='/authors/ada-lovelace/']"))
        .next()
        .expect("author link");
    assert_eq!(
        author.value().attr("href"),
        Some("/think/authors/ada-lovelace/")
    );
    let canonical = page
        .select(&crate::common::sel("link[rel=canonical]"))
        .next()
        .unwrap();
    assert_eq!(
        canonical.value().attr("href"),
        Some("https://example.org/think/briefs/notes-twice/")
    );
}

/// Two builds made from nothing (no build cache, fresh output folders) write the same bytes:
/// with the cache kept, the second would only copy the first.
#[test]
fn two_builds_of_the_same_site_are_byte_identical() {
    let site = Site::fixture("features");
    let outputs = tempfile::tempdir().unwrap();
    let (first, second) = (outputs.path().join("first"), outputs.path().join("second"));
    crate::common::build_with_cache(&site, &first, "");
    crate::common::build_with_cache(&site, &second, "");
    let first = crate::common::snapshot(&first);
    assert!(first.len() > 20, "{} files", first.len());
    assert!(
        first == crate::common::snapshot(&second),
        "the builds differ"
    );
}

#[test]
fn site_templates_and_static_files_override_the_built_in_theme() {
    let site = Site::fixture("features");
    site.write(
        "templates/page.html",
        "<!doctype html><title>{{ page.title }}</title><main><h1 class=\"custom\">{{ page.title }}</h1>{{ page.body_html | safe }}</main>",
    );
    site.write("static/style.css", "/* the site's own */");
    site.write(
        "static/images/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.build_ok(&[]);
    let about = site.page("/about/");
    let heading = about
        .select(&crate::common::sel("h1.custom"))
        .next()
        .expect("override used");
    assert_eq!(crate::common::text_of(heading), "About");
    let css = std::fs::read_to_string(site.output().join("style.css")).unwrap();
    assert_eq!(css, "/* the site's own */");
    assert!(site.output().join("images/logo.svg").is_file());
    let brief = site.page("/briefs/notes-twice/");
    assert!(
        brief
            .select(&crate::common::sel("section#notes"))
            .next()
            .is_some(),
        "other templates still the theme's"
    );
}

#[test]
fn a_template_with_a_syntax_error_names_its_file_and_leaves_the_output() {
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let before = crate::common::snapshot(&site.output());
    site.write("templates/page.html", "{% if page.title %}never closed");
    let run = site.build(&[]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = crate::common::stderr(&run);
    assert!(stderr.contains("templates/page.html"), "{stderr}");
    assert_eq!(before, crate::common::snapshot(&site.output()));
}

#[cfg(unix)]
#[test]
fn a_rebuild_links_unchanged_files_from_the_previous_output_and_writes_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::fixture("features");
    site.build_ok(&[]);
    let inode = |file: &str| std::fs::metadata(site.output().join(file)).unwrap().ino();
    let unchanged = [
        "briefs/with-figures/installs.svg",
        "briefs/notes-twice/index.html",
        "favicon.svg",
    ];
    let before: Vec<u64> = unchanged.iter().map(|file| inode(file)).collect();
    let changed_before = inode("briefs/with-figures/prices.svg");
    let figure = site.root().join("content/briefs/with-figures/prices.svg");
    let svg = std::fs::read_to_string(&figure).unwrap();
    std::fs::write(&figure, format!("{svg}\n<!-- redrawn -->")).unwrap();
    site.build_ok(&[]);
    let after: Vec<u64> = unchanged.iter().map(|file| inode(file)).collect();
    assert_eq!(
        before, after,
        "unchanged pages and copies are the same files"
    );
    assert_ne!(inode("briefs/with-figures/prices.svg"), changed_before);
    let copied = std::fs::read_to_string(site.output().join("briefs/with-figures/prices.svg"));
    assert!(
        copied.unwrap().ends_with("<!-- redrawn -->"),
        "the new copy"
    );
}

/// Builds the site into a folder of its own with no cache: what every rebuild must equal.
fn fresh_build(site: &Site) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let fresh = tempfile::tempdir().unwrap();
    let out = fresh.path().join("out");
    crate::common::build_with_cache(site, &out, "");
    crate::common::snapshot(&out)
}

#[test]
fn rebuilds_through_the_kept_output_folder_write_what_a_fresh_build_writes() {
    let site = Site::fixture("features");
    site.write("static/data", "a file that will become a folder");
    site.build_ok(&[]);
    site.build_ok(&[]);
    // Each step changes what the kept folder (the output before last) holds: files removed,
    // added and changed, a file that becomes a folder and back.
    let steps: [&dyn Fn(); 4] = [
        &|| {
            std::fs::remove_file(site.root().join("content/briefs/older-brief.md")).unwrap();
            std::fs::remove_file(site.root().join("static/data")).unwrap();
            site.write("static/data/inside.txt", "now a folder");
        },
        &|| {
            let figure = site.root().join("content/briefs/with-figures/prices.svg");
            let svg = std::fs::read_to_string(&figure).unwrap();
            std::fs::write(&figure, format!("{svg}<!-- v2 -->")).unwrap();
        },
        &|| {
            std::fs::remove_dir_all(site.root().join("static/data")).unwrap();
            site.write("static/data", "a file again");
        },
        &|| std::fs::remove_dir_all(site.output()).unwrap(),
    ];
    for (n, step) in steps.iter().enumerate() {
        step();
        site.build_ok(&[]);
        assert!(
            crate::common::snapshot(&site.output()) == fresh_build(&site),
            "step {n}: the rebuild differs from a fresh build"
        );
    }
    let leftovers = staging_leftovers(&site);
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
