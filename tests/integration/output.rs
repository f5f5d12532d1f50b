//! Writing the output: a fresh folder swapped in whole, stale files and leftovers gone.

use crate::common::Site;

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
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".folio-"))
        .collect();
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
