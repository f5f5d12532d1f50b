//! `folio check`: everything `build` validates, plus lints an editor fixes before publishing —
//! images without alt text, figures without a credit, headings that skip a level, briefs without
//! a summary, authors without a biography — and the internal-link rule `build` shares.
//!
//! Check loads the site with `build::load_site` and renders it in memory with
//! `build::render_checked`, as `build` does, so one place decides what is an error; it writes
//! nothing. Drafts are loaded, linted and rendered too, and links from published pages to drafts
//! are refused, as the published site would leave them dangling.

use crate::build::{BuildError, BuildOptions, LoadedSite, load_site, render_checked};
use crate::cache::BuildCache;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, suggest};
use crate::markdown::{Facts, Rendered};
use crate::render::OutputFile;
use crate::site::Site;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Checks the site at `root`: every diagnostic `build` would give, and the lints, sorted by file
/// and line. `Err` only for settings that cannot be used (exit code 2).
///
/// Links and templates are checked once the content loads without errors, as `build` renders
/// only then: a page left out for its errors would make every link to it look broken.
pub fn check_site(root: &Path) -> Result<Vec<Diagnostic>, BuildError> {
    let options = BuildOptions {
        root: root.to_path_buf(),
        output: None,
        drafts: true,
        base_url: None,
    };
    let LoadedSite {
        site,
        mut theme,
        mut diagnostics,
    } = match load_site(&options, &BuildCache::for_site(root)) {
        Ok(loaded) => loaded,
        Err(BuildError::Content(problems)) => return Ok(problems),
        Err(err) => return Err(err),
    };
    diagnostics.extend(lint_site(&site));
    if !diagnostics.has_errors() {
        // `check` writes nothing: each page is dropped once rendered, only its path is kept.
        let discard = |_: &OutputFile| Ok(());
        render_checked(&site, &mut theme, true, &mut diagnostics, &discard, None)
            .expect("discarding a page cannot fail");
    }
    Ok(diagnostics.sorted())
}

/// One Markdown text of the site, with the page it is shown on.
struct Document<'a> {
    shown: &'a Path,
    /// The URL of the page it is rendered on, against which relative links resolve.
    url: &'a str,
    body: &'a Rendered,
    draft: bool,
}

/// Briefs, pages and author biographies (which resolve links from the author's page).
fn documents(site: &Site) -> Vec<Document<'_>> {
    let briefs = site.briefs.iter().map(|b| Document {
        shown: &b.doc.shown,
        url: &b.url,
        body: &b.doc.body,
        draft: b.doc.draft,
    });
    let pages = site.pages.iter().map(|p| Document {
        shown: &p.doc.shown,
        url: &p.url,
        body: &p.doc.body,
        draft: p.doc.draft,
    });
    let authors = site.authors.iter().map(|a| Document {
        shown: &a.doc.shown,
        url: &a.url,
        body: &a.doc.bio,
        draft: false,
    });
    briefs.chain(pages).chain(authors).collect()
}

// --- Internal links: an error in `check` and in `build` ------------------------------------

/// Errors for every internal link that names no file of the rendered site; with `as_published`,
/// also for links from published pages to drafts, which the published site leaves out. On a site
/// whose base_url has a path, a link from the root without that path is a warning.
pub fn broken_links(site: &Site, files: &[PathBuf], as_published: bool) -> Vec<Diagnostic> {
    let rendered: HashSet<&Path> = files.iter().map(PathBuf::as_path).collect();
    let drafts = if as_published {
        draft_folders(site)
    } else {
        Vec::new()
    };
    let mut problems = Vec::new();
    for doc in documents(site) {
        for link in &doc.body.facts.links {
            let Some(target) = link_target(&site.config, doc.url, &link.dest) else {
                continue;
            };
            let draft = drafts.iter().find(|(dir, _)| target.file.starts_with(dir));
            let problem = if !exists(&rendered, &target.file) {
                missing_page(site, &rendered, doc.shown, &link.dest, &target.file)
            } else if let Some((_, file)) = draft.filter(|_| !doc.draft) {
                Diagnostic::error(
                    doc.shown,
                    format!(
                        "link to `{}`, a draft that the published site leaves out",
                        link.dest
                    ),
                )
                .help(format!(
                    "publish it first (remove `draft: true` from {}), or add the link once it is \
                     published",
                    file.display()
                ))
            } else if target.unprefixed {
                let root = &site.config.root_path;
                Diagnostic::warning(
                    doc.shown,
                    format!(
                        "link to `{}` leads outside the site, which lives under `{root}/`",
                        link.dest
                    ),
                )
                .help(format!(
                    "write `{root}{}` as base_url says, or a relative link",
                    link.dest
                ))
            } else {
                continue;
            };
            problems.push(link.at.apply(problem));
        }
        for image in &doc.body.facts.images {
            let Some(target) = link_target(&site.config, doc.url, &image.src) else {
                continue;
            };
            if !exists(&rendered, &target.file) {
                let problem = Diagnostic::error(
                    doc.shown,
                    format!("image `{}`, which is not a file of this site", image.src),
                )
                .help(
                    "keep the image beside the brief (content/briefs/<slug>/index.md and the \
                     image in that folder) or in static/, and check the file name",
                );
                problems.push(image.at.apply(problem));
            }
        }
    }
    problems.extend(
        site.briefs
            .iter()
            .filter_map(|b| missing_social_image(site, &rendered, b)),
    );
    problems
}

/// An error at `image:` when it names a file of this site that is not one: the social image
/// would be a 404 in every share.
fn missing_social_image(
    site: &Site,
    rendered: &HashSet<&Path>,
    brief: &crate::site::Brief,
) -> Option<Diagnostic> {
    let image = brief.doc.image.as_deref()?;
    let target = link_target(&site.config, &brief.url, image)?;
    if exists(rendered, &target.file) {
        return None;
    }
    let problem = Diagnostic::error(
        &brief.doc.shown,
        format!("`image: {image}` names a file that is not part of the site"),
    )
    .help(
        "keep the image beside the brief (content/briefs/<slug>/index.md and the image in that \
         folder) or in static/, or give a full https:// address",
    );
    Some(crate::site::attachments::place_at_field(
        &site.config,
        &brief.doc,
        "image",
        problem,
    ))
}

/// Where an internal link leads.
struct Target {
    /// A file of the output, relative to its root.
    file: PathBuf,
    /// A link from the root without the root path of a base_url that has one (`/briefs/x/` on
    /// a site at `https://example.org/think`): it names `file` only if the site moves to `/`.
    unprefixed: bool,
}

/// The target of a link written on the page at `page_url`; `None` for a link that leaves the
/// site (another host, `mailto:`) or stays on the page (`#notes`).
fn link_target(config: &Config, page_url: &str, dest: &str) -> Option<Target> {
    if dest.is_empty() || dest.starts_with('#') {
        return None;
    }
    let base = url::Url::parse(&config.absolute_url(page_url)).ok()?;
    let joined = base.join(dest).ok()?;
    let same_site = joined.scheme() == base.scheme()
        && joined.host_str() == base.host_str()
        && joined.port_or_known_default() == base.port_or_known_default();
    if !same_site {
        return None;
    }
    let path = percent_decode(joined.path());
    let root = config.root_path.as_str();
    let (inside, unprefixed) = match path.strip_prefix(root) {
        Some(rest) if root.is_empty() || rest.is_empty() || rest.starts_with('/') => (rest, false),
        _ => (path.as_str(), true),
    };
    let relative = inside.trim_start_matches('/');
    let file = if relative.is_empty() || relative.ends_with('/') {
        PathBuf::from(relative).join("index.html")
    } else {
        PathBuf::from(relative)
    };
    Some(Target { file, unprefixed })
}

/// Whether a link's file was rendered; `/briefs/x` names the folder `/briefs/x/`, as static
/// hosts serve it.
fn exists(rendered: &HashSet<&Path>, path: &Path) -> bool {
    rendered.contains(path) || rendered.contains(path.join("index.html").as_path())
}

/// The folders (relative to the output root) of pages only a run with drafts writes: drafts and
/// their files, and topics every brief of which is a draft; each with the file to publish.
fn draft_folders(site: &Site) -> Vec<(PathBuf, PathBuf)> {
    let folder = |url: &str| url_folder(&site.config, url);
    let mut folders: Vec<(PathBuf, PathBuf)> = Vec::new();
    for brief in site.briefs.iter().filter(|b| b.doc.draft) {
        folders.push((folder(&brief.url), brief.doc.shown.clone()));
    }
    for page in site.pages.iter().filter(|p| p.doc.draft) {
        folders.push((folder(&page.url), page.doc.shown.clone()));
    }
    for topic in &site.topics {
        let briefs: Vec<_> = topic.briefs.iter().map(|&i| &site.briefs[i]).collect();
        if let Some(first) = briefs.first()
            && briefs.iter().all(|b| b.doc.draft)
        {
            folders.push((folder(&topic.url), first.doc.shown.clone()));
        }
    }
    folders
}

/// `/prefix/briefs/x/` → `briefs/x`.
fn url_folder(config: &Config, url: &str) -> PathBuf {
    let path = url.strip_prefix(&config.root_path).unwrap_or(url);
    PathBuf::from(path.trim_matches('/'))
}

/// The error for a link to a file the site does not have, suggesting the nearest one beside it.
fn missing_page(
    site: &Site,
    rendered: &HashSet<&Path>,
    shown: &Path,
    dest: &str,
    path: &Path,
) -> Diagnostic {
    let root = &site.config.root_path;
    let wanted = Address::of(path);
    let neighbours: Vec<Address> = rendered
        .iter()
        .map(|p| Address::of(p))
        .filter(|a| a.folder == wanted.folder)
        .collect();
    let nearest = suggest(&wanted.name, neighbours.iter().map(|a| a.name.as_str()))
        .and_then(|name| neighbours.iter().find(|a| a.name == name));
    let help = match nearest {
        Some(near) => format!("did you mean `{root}{}`?", near.url()),
        None => format!(
            "check the address: briefs are at `{root}/briefs/<slug>/`, people at \
             `{root}/authors/<slug>/`, topics at `{root}/topics/<slug>/`, pages at `{root}/<slug>/`"
        ),
    };
    let mut diagnostic = Diagnostic::error(
        shown,
        format!("link to `{dest}`, which is not a page or file of this site"),
    )
    .help(help);
    if !dest.starts_with('/') {
        diagnostic = diagnostic.note(format!("the link points at `{root}{}`", wanted.url()));
    }
    diagnostic
}

/// An output file as a reader addresses it: a page by its folder, any other file by its name.
struct Address {
    folder: PathBuf,
    name: String,
    page: bool,
}

impl Address {
    fn of(path: &Path) -> Self {
        let page = path.file_name().is_some_and(|n| n == "index.html");
        let named = if page {
            path.parent().unwrap_or(Path::new(""))
        } else {
            path
        };
        Address {
            folder: named.parent().unwrap_or(Path::new("")).to_path_buf(),
            name: named
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            page,
        }
    }

    /// `/briefs/x/` for a page, `/briefs/x/chart.svg` for a file.
    fn url(&self) -> String {
        let mut url = String::from("/");
        for part in self.folder.iter() {
            url.push_str(&part.to_string_lossy());
            url.push('/');
        }
        url.push_str(&self.name);
        if self.page && !self.name.is_empty() {
            url.push('/');
        }
        url
    }
}

/// Decodes `%XX` escapes in a URL path, so `my%20chart.svg` names the file `my chart.svg`.
/// Written by hand: url's decoder lives in a crate we do not otherwise depend on.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// --- Lints: warnings only `check` gives ---------------------------------------------------

/// The lints over every brief, page and biography.
fn lint_site(site: &Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for doc in documents(site) {
        lint_images(doc.shown, &doc.body.facts, &mut problems);
        lint_headings(doc.shown, &doc.body.facts, &mut problems);
    }
    for brief in site.briefs.iter().filter(|b| b.doc.summary.is_none()) {
        problems.push(
            at_front_matter(Diagnostic::warning(
                &brief.doc.shown,
                "the brief has no summary",
            ))
            .help(
                "add `summary:` to the front matter with one or two sentences; listings, \
                     feeds, search results and shared links show it",
            ),
        );
    }
    for author in site.authors.iter().filter(|a| a.doc.bio.word_count == 0) {
        problems.push(
            at_front_matter(Diagnostic::warning(
                &author.doc.shown,
                format!("{} has no biography", author.doc.name),
            ))
            .help(
                "write a few sentences about them below the front matter; their page and \
                 \"About the authors\" on their briefs show it",
            ),
        );
    }
    problems
}

/// Images without alt text; figures without a `Source:` credit.
fn lint_images(shown: &Path, facts: &Facts, problems: &mut Vec<Diagnostic>) {
    for image in &facts.images {
        let what = match image.figure {
            Some(number) => format!("figure {number}"),
            None => "the image".to_string(),
        };
        if image.alt.trim().is_empty() {
            let warning = Diagnostic::warning(shown, format!("{what} has no alt text"));
            problems.push(image.at.apply(warning).help(format!(
                "describe what it shows between the brackets, for readers who cannot see it: \
                 `![Bar chart of …]({})`",
                image.src
            )));
        }
        if image.figure.is_some() && !image.credited {
            let warning = Diagnostic::warning(shown, format!("{what} has no credit"));
            problems.push(image.at.apply(warning).help(
                "add a paragraph right after the image that begins with `Source:`, e.g. \
                 `Source: [Office for National Statistics](https://www.ons.gov.uk/), our analysis.`",
            ));
        }
    }
}

/// Headings that skip a level. The page's title is its only level-1 heading, so a body's
/// sections start at level 2.
fn lint_headings(shown: &Path, facts: &Facts, problems: &mut Vec<Diagnostic>) {
    let mut previous = 1;
    for heading in &facts.headings {
        let level = heading.level;
        let problem = if level == 1 {
            Some(
                Diagnostic::warning(
                    shown,
                    format!(
                        "level-1 heading `{}` in the body: the page's title is its level-1 heading",
                        heading.title
                    ),
                )
                .help("start the body's sections at level 2: `## …`"),
            )
        } else if level > previous + 1 {
            let wanted = previous + 1;
            let after = if previous == 1 {
                "the page's title".to_string()
            } else {
                format!("a level-{previous} heading")
            };
            Some(
                Diagnostic::warning(
                    shown,
                    format!(
                        "heading `{}` skips from {after} to level {level}",
                        heading.title
                    ),
                )
                .help(format!(
                    "make it a level-{wanted} heading (`{} …`), so screen readers and the \
                     table of contents keep the outline",
                    "#".repeat(usize::from(wanted))
                )),
            )
        } else {
            None
        };
        if let Some(problem) = problem {
            problems.push(heading.at.apply(problem));
        }
        previous = level;
    }
}

/// Places a diagnostic about a whole document at its front matter's first line.
fn at_front_matter(mut diagnostic: Diagnostic) -> Diagnostic {
    diagnostic.line = 1;
    diagnostic.column = 1;
    diagnostic.snippet = Some("---".into());
    diagnostic.width(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str) -> Config {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(
            root.path().join("site.toml"),
            format!("title = \"T\"\nbase_url = \"{base_url}\"\n"),
        )
        .unwrap();
        crate::config::load_config(root.path()).unwrap()
    }

    fn file(target: Option<Target>) -> Option<PathBuf> {
        let target = target?;
        assert!(
            !target.unprefixed,
            "{} lacks the root path",
            target.file.display()
        );
        Some(target.file)
    }

    #[test]
    fn links_resolve_against_the_page_they_are_on() {
        let config = config("https://x.org");
        let on = |dest| file(link_target(&config, "/briefs/a/", dest));
        assert_eq!(on("/briefs/b/"), Some("briefs/b/index.html".into()));
        assert_eq!(on("../b/#notes"), Some("briefs/b/index.html".into()));
        assert_eq!(on("chart%20one.svg"), Some("briefs/a/chart one.svg".into()));
        assert_eq!(on("/"), Some("index.html".into()));
        assert_eq!(on("#recommendations"), None);
        assert_eq!(on("mailto:press@x.org"), None);
        assert_eq!(on("//elsewhere.org/a/"), None);
    }

    #[test]
    fn links_without_a_base_url_path_are_told_apart() {
        let config = config("https://x.org/think");
        assert_eq!(
            file(link_target(&config, "/think/briefs/a/", "/think/about/")),
            Some("about/index.html".into())
        );
        assert_eq!(
            file(link_target(&config, "/think/briefs/a/", "../b/")),
            Some("briefs/b/index.html".into())
        );
        for dest in ["/about/", "/thinking/"] {
            let target = link_target(&config, "/think/briefs/a/", dest).unwrap();
            assert!(target.unprefixed, "{dest}");
        }
    }

    #[test]
    fn percent_escapes_decode_and_stray_percents_stay() {
        assert_eq!(percent_decode("/a%20b/caf%C3%A9"), "/a b/café");
        assert_eq!(percent_decode("/100%/x%2"), "/100%/x%2");
    }
}
