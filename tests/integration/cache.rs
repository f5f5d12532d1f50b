//! The build cache: a build from cached renderings, citations and search index writes the same
//! site as one without, and an edited brief, a resized figure or a text with problems misses it.

use crate::common::{Site, build_with_cache, sel};
use std::collections::BTreeMap;
use std::path::Path;

/// A scratch folder and, in it, the path of a cache folder.
fn scratch_cache() -> (tempfile::TempDir, String) {
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache").to_str().unwrap().to_string();
    (scratch, cache)
}

/// The names of the entries kept in `cache` on the shelf `folder`.
fn shelf(cache: &str, folder: &str) -> std::collections::BTreeSet<String> {
    files(Path::new(cache))
        .into_keys()
        .filter(|name| name.contains(&format!("/{folder}/")))
        .collect()
}

/// Every file under `dir`, by relative path, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(dir).unwrap();
            (
                relative.display().to_string(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_build_from_the_cache_writes_the_same_site_as_one_without() {
    let site = Site::fixture("features");
    let (scratch, cache) = scratch_cache();
    let cache = cache.as_str();
    let (cold, warm, uncached) = (
        scratch.path().join("cold"),
        scratch.path().join("warm"),
        scratch.path().join("uncached"),
    );
    build_with_cache(&site, &cold, cache);
    let kept = files(Path::new(cache));
    assert!(
        kept.keys().any(|name| name.ends_with("citations.json")),
        "{kept:?}"
    );
    let texts = std::fs::read_dir(site.root().join("content"))
        .unwrap()
        .flat_map(|kind| walkdir::WalkDir::new(kind.unwrap().path()))
        .filter(|entry| entry.as_ref().unwrap().path().extension() == Some("md".as_ref()))
        .count();
    // Texts with warnings are rendered on every build, so that the warnings are given again.
    let kept_texts = shelf(cache, "renderings").len();
    assert!(
        kept_texts > texts / 2 && kept_texts <= texts,
        "{kept_texts} of {texts} texts kept"
    );
    build_with_cache(&site, &warm, cache);
    build_with_cache(&site, &uncached, "");
    let cold = files(&cold);
    assert!(
        cold.keys()
            .any(|name| name.starts_with("search/index/postings-"))
    );
    assert!(cold == files(&warm), "the warm build differs from the cold");
    assert!(
        cold == files(&uncached),
        "the cached build differs from one without"
    );
}

#[test]
fn an_edited_brief_misses_the_cache() {
    let site = Site::fixture("features");
    let (_scratch, cache) = scratch_cache();
    let cache = cache.as_str();
    let output = site.output();
    build_with_cache(&site, &output, cache);
    let index_before = files(&output.join("search/index"));
    let brief = site.root().join("content/briefs/notes-twice.md");
    let text = std::fs::read_to_string(&brief).unwrap();
    let title_line = text.lines().find(|l| l.starts_with("title:")).unwrap();
    let edited = text.replacen(title_line, "title: \"Quokka Fiscal Rules Revisited\"", 1);
    std::fs::write(&brief, edited).unwrap();
    build_with_cache(&site, &output, cache);

    let pages = files(&output);
    let cite_boxes: Vec<String> = pages
        .iter()
        .filter(|(name, _)| name.starts_with("briefs/") && name.ends_with("index.html"))
        .filter_map(|(_, bytes)| {
            let html = scraper::Html::parse_document(std::str::from_utf8(bytes).unwrap());
            let cite = html.select(&sel(".cite-as .citation")).next()?;
            Some(cite.text().collect())
        })
        .collect();
    assert!(
        cite_boxes
            .iter()
            .any(|c| c.contains("Quokka Fiscal Rules Revisited")),
        "the edited title is in its citation: {cite_boxes:?}"
    );
    assert!(
        files(&output.join("search/index")) != index_before,
        "the search index was made again"
    );
}

#[test]
fn an_edited_text_or_resized_figure_is_rendered_again_and_its_old_rendering_evicted() {
    let site = Site::fixture("features");
    let (_scratch, cache) = scratch_cache();
    let cache = cache.as_str();
    let output = site.output();
    build_with_cache(&site, &output, cache);
    let kept_before = shelf(cache, "renderings");

    let brief = site.root().join("content/briefs/with-figures/index.md");
    let text = std::fs::read_to_string(&brief).unwrap();
    let edited = text.replacen("An inline image", "A wombat-shaped inline image", 1);
    assert_ne!(text, edited);
    std::fs::write(&brief, edited).unwrap();
    let figure = site.root().join("content/briefs/with-figures/installs.svg");
    let svg = std::fs::read_to_string(&figure).unwrap();
    std::fs::write(&figure, svg.replacen("0 0 10 10", "0 0 640 360", 1)).unwrap();
    build_with_cache(&site, &output, cache);

    let page = site.page("/briefs/with-figures/");
    let body = page.root_element().html();
    assert!(body.contains("wombat-shaped"), "the edit is published");
    let sized = page
        .select(&sel("figure img[src='installs.svg']"))
        .next()
        .expect("the figure");
    assert_eq!(sized.value().attr("width"), Some("640"), "the new size");
    let kept_after = shelf(cache, "renderings");
    assert_eq!(
        kept_after.len(),
        kept_before.len(),
        "the old rendering is evicted"
    );
    assert_ne!(kept_after, kept_before);

    // The figure alone changes back: the text is the same, its kept rendering is not used.
    std::fs::write(&figure, svg).unwrap();
    build_with_cache(&site, &output, cache);
    let sized = site.page("/briefs/with-figures/");
    let img = sized.select(&sel("figure img[src='installs.svg']")).next();
    assert_eq!(img.unwrap().value().attr("width"), Some("10"));
}

#[test]
fn warnings_are_given_on_every_build_and_timings_only_when_asked() {
    let site = Site::fixture("features");
    let (_scratch, cache) = scratch_cache();
    let cache = cache.as_str();
    let text = std::fs::read_to_string(site.root().join("content/briefs/older-brief.md")).unwrap();
    site.write(
        "content/briefs/older-brief.md",
        &format!("{text}\n[^never-cited]: A note no sentence refers to.\n"),
    );
    let first = build_with_cache(&site, &site.output(), cache);
    let second = build_with_cache(&site, &site.output(), cache);
    for stderr in [&first, &second] {
        assert!(stderr.contains("never-cited"), "{stderr}");
        assert!(!stderr.contains("timing:"), "{stderr}");
    }
}

#[test]
fn a_rebuild_keeps_unchanged_pages_and_renders_those_whose_inputs_changed() {
    let site = Site::fixture("features");
    let (scratch, cache) = scratch_cache();
    let cache = cache.as_str();
    let output = site.output();
    build_with_cache(&site, &output, cache);
    build_with_cache(&site, &output, cache);

    // A brief's new title reaches the listings that show it; a page edited by hand in the
    // output is written again; a changed template reaches every page.
    let brief = site.root().join("content/briefs/older-brief.md");
    let text = std::fs::read_to_string(&brief).unwrap();
    std::fs::write(
        &brief,
        text.replacen("title: An Older Brief", "title: A Numbat Brief", 1),
    )
    .unwrap();
    let edited = output.join("briefs/notes-twice/index.html");
    let page = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, page.replacen("<main", "<main data-hand-edited", 1)).unwrap();
    build_with_cache(&site, &output, cache);
    let topic = site.page("/topics/public-finance/");
    assert!(
        topic.root_element().html().contains("A Numbat Brief"),
        "the listing"
    );
    assert!(
        !std::fs::read_to_string(&edited)
            .unwrap()
            .contains("data-hand-edited")
    );

    let theme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let base = std::fs::read_to_string(theme.join("base.html")).unwrap();
    site.write(
        "templates/base.html",
        &base.replacen("<body", "<body data-site-template", 1),
    );
    build_with_cache(&site, &output, cache);
    for url in ["/", "/briefs/notes-twice/", "/topics/public-finance/"] {
        let html = site.page(url).root_element().html();
        assert!(html.contains("data-site-template"), "{url}");
    }
    let uncached = scratch.path().join("uncached");
    build_with_cache(&site, &uncached, "");
    assert!(
        files(&output) == files(&uncached),
        "the same as a build without the cache"
    );
}

#[test]
fn after_an_edit_only_the_edited_brief_is_indexed_again_and_the_index_is_as_without_the_cache() {
    let site = Site::fixture("features");
    let (scratch, cache) = scratch_cache();
    let cache = cache.as_str();
    let output = site.output();
    let analysed = |cache: &str| {
        let line = crate::common::stage_timing(&site, &output, cache, "index");
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().position(|w| *w == "(analysed").unwrap();
        let count = |n: usize| words[n].parse::<usize>().unwrap();
        (count(at + 1), count(at + 3))
    };
    let (fresh, documents) = analysed(cache);
    assert!(
        documents >= 3 && fresh == documents,
        "{fresh} of {documents}"
    );
    // A file of the output changed, so that the build is not skipped as unchanged.
    std::fs::write(output.join("404.html"), "changed").unwrap();
    assert_eq!(
        analysed(cache).0,
        0,
        "nothing analysed again without an edit"
    );

    let brief = site.root().join("content/briefs/notes-twice.md");
    let text = std::fs::read_to_string(&brief).unwrap();
    std::fs::write(&brief, format!("{text}\nA closing word on quokkanomics.\n")).unwrap();
    assert_eq!(analysed(cache), (1, documents), "one brief analysed again");
    let uncached = scratch.path().join("uncached");
    build_with_cache(&site, &uncached, "");
    let index = files(&output.join("search/index"));
    assert!(
        index.keys().any(|name| name.starts_with("postings-")),
        "{:?}",
        index.keys()
    );
    assert!(
        index == files(&uncached.join("search/index")),
        "the index made from kept analyses differs from one made without the cache"
    );
}

/// An index made afresh after an edit (here: into a new output folder, so there is no last
/// index to patch; in `folio serve`, every time) keeps the edited brief's analysis in the
/// added file beside the kept ones, not all of them again: at 10,000 briefs that rewrite was
/// ~150 ms the preview's next edit waited for.
#[test]
fn a_fresh_index_after_an_edit_adds_the_new_analysis_to_the_kept_ones() {
    let site = Site::fixture("features");
    let (scratch, cache) = scratch_cache();
    let cache = cache.as_str();
    let index_line = |output: &str| {
        let output = scratch.path().join(output);
        crate::common::stage_timing(&site, &output, cache, "index")
    };
    let kept = |name: &str| {
        files(Path::new(cache))
            .into_iter()
            .find(|(path, _)| path.ends_with(name))
            .map(|(_, bytes)| bytes)
    };
    let (whole, added) = (
        "search-analyses-2.postcard",
        "search-analyses-added.postcard",
    );
    index_line("first");
    let whole_before = kept(whole).expect("the analyses kept whole");

    let brief = site.root().join("content/briefs/notes-twice.md");
    let text = std::fs::read_to_string(&brief).unwrap();
    std::fs::write(&brief, format!("{text}\nA closing word on quokkanomics.\n")).unwrap();
    let line = index_line("second");
    assert!(
        line.contains("(analysed 1 of") && !line.contains("patched"),
        "{line}"
    );
    assert!(
        kept(whole) == Some(whole_before),
        "the whole file was written again"
    );
    assert!(kept(added).is_some(), "the new analysis is not kept");

    let line = index_line("third");
    assert!(
        line.contains("(analysed 0 of"),
        "the added analysis was not read: {line}"
    );
    let uncached = scratch.path().join("uncached");
    build_with_cache(&site, &uncached, "");
    assert!(
        files(&scratch.path().join("third/search/index")) == files(&uncached.join("search/index")),
        "the index made from the added analysis differs from one made without the cache"
    );
}

#[test]
fn a_build_removes_the_cache_folders_of_sites_unused_for_a_month() {
    let site = Site::fixture("features");
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let (old, recent) = (
        cache.join("site-0000000000000001"),
        cache.join("site-0000000000000002"),
    );
    for (dir, days) in [(&old, 40), (&recent, 3)] {
        std::fs::create_dir_all(dir.join("renderings")).unwrap();
        let used = std::fs::File::create(dir.join("last-used")).unwrap();
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 86_400);
        used.set_modified(then).unwrap();
    }
    let unknown = cache.join("not-a-site");
    std::fs::create_dir_all(&unknown).unwrap();
    build_with_cache(&site, &site.output(), cache.to_str().unwrap());
    assert!(!old.exists(), "unused for 40 days");
    assert!(recent.exists() && unknown.exists());
    let own = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p != &recent && p != &unknown)
        .expect("the site's own folder");
    assert!(own.join("last-used").is_file(), "{}", own.display());
}
