//! Finds the site's content files with walkdir and says what each one is.

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, display_path};
use crate::fsutil::{link_leaves_site, link_outside_error};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// What a content file is, by where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Brief,
    Author,
    Page,
}

/// One content document to parse.
#[derive(Debug)]
pub struct Entry {
    pub kind: Kind,
    pub path: PathBuf,
    /// The slug its file (or, for a brief in a folder, its folder) name gives.
    pub name: String,
    /// For a brief kept in its own folder: the folder and the files beside `index.md`
    /// (relative to the folder), which are copied next to the brief's page.
    pub bundle: Option<(PathBuf, Vec<PathBuf>)>,
}

/// Walks `content/` and classifies what it finds; a missing `content/` is an error.
pub fn discover(config: &Config, diagnostics: &mut Diagnostics) -> Vec<Entry> {
    let content = config.content_dir();
    if !content.is_dir() {
        diagnostics.push(
            Diagnostic::error(
                display_path(&config.root, &content),
                "there is no content folder",
            )
            .help("create `content/briefs/` and `content/authors/` with Markdown files in them"),
        );
        return Vec::new();
    }
    let mut entries = Vec::new();
    let mut bundles: BTreeMap<String, (PathBuf, Option<PathBuf>, Vec<PathBuf>)> = BTreeMap::new();
    let mut outside = Vec::new();
    let walker = WalkDir::new(&content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
            let leaves = !hidden && link_leaves_site(&config.root, e);
            if leaves {
                outside.push(e.path().to_path_buf());
            }
            !hidden && !leaves
        });
    for item in walker {
        let item = match item {
            Ok(item) => item,
            Err(err) => {
                diagnostics.push(walk_error(config, &content, &err));
                continue;
            }
        };
        if item.file_type().is_dir() {
            continue;
        }
        let path = item.path().to_path_buf();
        let relative = path.strip_prefix(&content).unwrap_or(&path).to_path_buf();
        classify(
            config,
            path,
            &relative,
            &mut entries,
            &mut bundles,
            diagnostics,
        );
    }
    for link in outside {
        diagnostics.push(link_outside_error(&config.root, &link));
    }
    for (name, (dir, index, assets)) in bundles {
        match index {
            Some(index) => entries.push(Entry {
                kind: Kind::Brief,
                path: index,
                name,
                bundle: Some((dir, assets)),
            }),
            None => diagnostics.push(
                Diagnostic::warning(
                    display_path(&config.root, &dir),
                    "this folder in content/briefs/ has no index.md, so it is not a brief",
                )
                .help("put the brief's text in index.md inside the folder"),
            ),
        }
    }
    entries
}

fn classify(
    config: &Config,
    path: PathBuf,
    relative: &Path,
    entries: &mut Vec<Entry>,
    bundles: &mut BTreeMap<String, (PathBuf, Option<PathBuf>, Vec<PathBuf>)>,
    diagnostics: &mut Diagnostics,
) {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let is_markdown = relative.extension().is_some_and(|e| e == "md");
    let stem = || {
        relative
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let kind = match parts.first().map(String::as_str) {
        Some("briefs") if parts.len() == 2 && is_markdown => Some(Kind::Brief),
        Some("briefs") if parts.len() >= 3 => {
            let folder = parts[1].clone();
            let dir = config.content_dir().join("briefs").join(&folder);
            let bundle = bundles
                .entry(folder)
                .or_insert_with(|| (dir.clone(), None, Vec::new()));
            if parts.len() == 3 && parts[2] == "index.md" {
                bundle.1 = Some(path);
            } else {
                bundle
                    .2
                    .push(path.strip_prefix(&dir).unwrap_or(&path).to_path_buf());
            }
            return;
        }
        Some("authors") if parts.len() == 2 && is_markdown => Some(Kind::Author),
        Some("pages") if parts.len() == 2 && is_markdown => Some(Kind::Page),
        _ => None,
    };
    match kind {
        Some(kind) => entries.push(Entry {
            kind,
            path,
            name: stem(),
            bundle: None,
        }),
        None if is_markdown => diagnostics.push(
            Diagnostic::warning(
                display_path(&config.root, &path),
                "this Markdown file is not part of the site",
            )
            .help(
                "briefs go in content/briefs/, people in content/authors/, pages in content/pages/",
            ),
        ),
        None => {}
    }
}

fn walk_error(config: &Config, content: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err.path().unwrap_or(content);
    let shown = display_path(&config.root, path);
    if err.loop_ancestor().is_some() {
        return Diagnostic::error(
            shown,
            "this symbolic link points back to a folder that contains it",
        )
        .help("remove the link, or point it somewhere outside content/");
    }
    Diagnostic::error(
        shown,
        format!("could not read this part of content/: {err}"),
    )
    .help("check that the file or folder exists and that you may read it")
}

/// The entry of a brief file (`briefs/<slug>.md` or `briefs/<slug>/index.md`), with its
/// bundle's files; `None` for any other path.
pub fn brief_entry(config: &Config, path: &Path) -> Option<Entry> {
    let briefs = config.content_dir().join("briefs");
    let relative = path.strip_prefix(&briefs).ok()?;
    let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
    match parts.as_slice() {
        [file] if file.ends_with(".md") && !file.starts_with('.') => Some(Entry {
            kind: Kind::Brief,
            path: path.to_path_buf(),
            name: file.trim_end_matches(".md").to_string(),
            bundle: None,
        }),
        [folder, "index.md"] if !folder.starts_with('.') => {
            let dir = briefs.join(folder);
            let assets = WalkDir::new(&dir)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| !link_leaves_site(&config.root, e))
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file() && e.path() != path)
                .filter_map(|e| e.path().strip_prefix(&dir).ok().map(Path::to_path_buf))
                .collect();
            Some(Entry {
                kind: Kind::Brief,
                path: path.to_path_buf(),
                name: folder.to_string(),
                bundle: Some((dir, assets)),
            })
        }
        _ => None,
    }
}
