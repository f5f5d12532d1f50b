//! The internal-link rule, shared by `build`, `check` and `serve`: every link and image of
//! every brief, page and biography must name a file the site writes, links from published pages
//! must not lead to drafts, and a social image (`image:`) must be a file of the site.
//!
//! It runs on the paths a build will write (every page and copied file), known before any page
//! is rendered, so link problems are reported with the content's, in the same run. A link to
//! a document left out for errors of its own is not reported as broken: its own errors are.

use super::{Brief, Site};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, suggest};
use crate::markdown::Rendered;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// One Markdown text of the site, with the page it is shown on.
pub struct Document<'a> {
    pub shown: &'a Path,
    /// The URL of the page it is rendered on, against which relative links resolve.
    pub url: Cow<'a, str>,
    pub body: &'a Rendered,
    pub draft: bool,
}

/// Briefs, pages and author biographies (which resolve links from the author's page), those
/// left out for their errors included.
pub fn documents(site: &Site) -> impl Iterator<Item = Document<'_>> {
    let doc = |shown, url, body, draft| Document {
        shown,
        url,
        body,
        draft,
    };
    let owned = |path: String| Cow::Owned(site.config.url(&path));
    let rejected = &site.rejected;
    site.briefs
        .iter()
        .map(move |b| {
            // A scheduled brief may link to what is published with it or before it.
            let unpublished = b.doc.draft || b.doc.is_scheduled(site.config.build_time);
            doc(&*b.doc.shown, Cow::from(&b.url), &b.doc.body, unpublished)
        })
        .chain(
            site.pages
                .iter()
                .map(move |p| doc(&p.doc.shown, Cow::from(&p.url), &p.doc.body, p.doc.draft)),
        )
        .chain(
            site.authors
                .iter()
                .map(move |a| doc(&a.doc.shown, Cow::from(&a.url), &a.doc.bio, false)),
        )
        .chain(rejected.briefs.iter().map(move |b| {
            doc(
                &b.shown,
                owned(format!("/briefs/{}/", b.slug)),
                &b.body,
                b.draft,
            )
        }))
        .chain(
            rejected
                .pages
                .iter()
                .map(move |p| doc(&p.shown, owned(format!("/{}/", p.slug)), &p.body, p.draft)),
        )
        .chain(rejected.authors.iter().map(move |a| {
            doc(
                &a.shown,
                owned(format!("/authors/{}/", a.slug)),
                &a.bio,
                false,
            )
        }))
}

/// The files documents left out for their errors would have written (their pages, and the
/// files beside a brief): links to them are not broken, the documents are.
fn rejected_files(site: &Site) -> Vec<PathBuf> {
    let rejected = &site.rejected;
    let briefs = rejected.briefs.iter().flat_map(|b| {
        let folder = PathBuf::from("briefs").join(&b.slug);
        let assets = b.bundle.iter().flat_map(|(_, assets)| assets.clone());
        std::iter::once(PathBuf::from("index.html"))
            .chain(assets)
            .map(move |file| folder.join(file))
    });
    let pages = rejected
        .pages
        .iter()
        .map(|p| PathBuf::from(&p.slug).join("index.html"));
    let authors = rejected
        .authors
        .iter()
        .map(|a| PathBuf::from("authors").join(&a.slug).join("index.html"));
    briefs.chain(pages).chain(authors).collect()
}

/// The files a site writes, as the link rule asks about them: a build's are listed before any
/// is written; the preview's are those it serves, looked up where they are kept.
pub trait WrittenFiles: Sync {
    /// Whether `file` (a path under the output) is one of them.
    fn has(&self, file: &Path) -> bool;
    /// All of them, for the nearest to a broken link's: asked for only when a link is broken.
    fn all(&self) -> Vec<&Path>;
}

impl WrittenFiles for HashSet<&Path> {
    fn has(&self, file: &Path) -> bool {
        self.contains(file)
    }

    fn all(&self) -> Vec<&Path> {
        self.iter().copied().collect()
    }
}

/// A site's files with those its documents left out for errors would have written.
struct Targets<'w> {
    written: &'w dyn WrittenFiles,
    rejected: HashSet<PathBuf>,
}

impl Targets<'_> {
    /// Whether a link's file was rendered; `/briefs/x` names the folder `/briefs/x/`, as static
    /// hosts serve it.
    fn exists(&self, path: &Path) -> bool {
        let has = |file: &Path| self.written.has(file) || self.rejected.contains(file);
        has(path) || has(&path.join("index.html"))
    }

    fn all(&self) -> Vec<&Path> {
        let mut all = self.written.all();
        all.extend(self.rejected.iter().map(PathBuf::as_path));
        all
    }
}

/// Errors for every internal link that names no file of the rendered site; with `as_published`,
/// also for links from published pages to drafts, which the published site leaves out. On a site
/// whose base_url has a path, a link from the root without that path is a warning.
pub fn broken_links(site: &Site, written: &HashSet<&Path>, as_published: bool) -> Vec<Diagnostic> {
    broken_links_in(site, written, as_published, |_| true)
}

/// `broken_links` for the documents whose files (as shown) `checked` accepts, against the files
/// `written`: the preview checks an edited brief's links alone, against the files it serves.
pub fn broken_links_in(
    site: &Site,
    written: &dyn WrittenFiles,
    as_published: bool,
    checked: impl Fn(&Path) -> bool,
) -> Vec<Diagnostic> {
    let rendered = Targets {
        written,
        rejected: rejected_files(site).into_iter().collect(),
    };
    let mut drafts = if as_published {
        draft_folders(site)
    } else {
        Vec::new()
    };
    // Briefs scheduled for later that the site leaves out: a link to one is never "no page".
    drafts.extend(
        site.scheduled_left_out
            .iter()
            .map(|(folder, doc)| Unpublished {
                folder: folder.clone(),
                file: doc.shown.clone(),
                scheduled: Some(doc.due()),
            }),
    );
    // Side by side: at 10,000 briefs there are ~50,000 internal links to resolve.
    let checked_documents: Vec<Document> = documents(site).filter(|d| checked(d.shown)).collect();
    let mut problems: Vec<Diagnostic> = checked_documents
        .par_iter()
        .flat_map_iter(|doc| document_problems(site, &rendered, &drafts, doc))
        .collect();
    problems.extend(
        site.briefs
            .iter()
            .filter(|b| checked(&b.doc.shown))
            .filter_map(|b| missing_social_image(site, &rendered, b)),
    );
    problems
}

/// The problems of one document's links and images.
fn document_problems(
    site: &Site,
    rendered: &Targets,
    drafts: &[Unpublished],
    doc: &Document,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    // Every link of the page resolves against its address, parsed once.
    let Some(base) = page_base(&site.config, &doc.url) else {
        return problems;
    };
    for link in &doc.body.facts.links {
        let Some(target) = link_target(&site.config, &base, &link.dest) else {
            continue;
        };
        let unpublished = drafts.iter().find(|u| target.file.starts_with(&u.folder));
        let problem = if let Some(unpublished) = unpublished.filter(|_| !doc.draft) {
            unpublished.linked(doc.shown, &link.dest)
        } else if !rendered.exists(&target.file) {
            missing_page(site, rendered, doc.shown, &link.dest, &target.file)
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
        let Some(target) = link_target(&site.config, &base, &image.src) else {
            continue;
        };
        if !rendered.exists(&target.file) {
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
    problems
}

/// An error at `image:` when it names a file of this site that is not one: the social image
/// would be a 404 in every share.
fn missing_social_image(site: &Site, rendered: &Targets, brief: &Brief) -> Option<Diagnostic> {
    let image = brief.doc.image.as_deref()?;
    let base = page_base(&site.config, &brief.url)?;
    let target = link_target(&site.config, &base, image)?;
    if rendered.exists(&target.file) {
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
    Some(super::attachments::place_at_field(
        &site.config,
        &brief.doc.shown,
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

/// The absolute address of the page at `page_url`, which its links resolve against.
fn page_base(config: &Config, page_url: &str) -> Option<url::Url> {
    url::Url::parse(&config.absolute_url(page_url)).ok()
}

/// The target of a link written on the page at `base` (`page_base`); `None` for a link that
/// leaves the site (another host, `mailto:`) or stays on the page (`#notes`).
fn link_target(config: &Config, base: &url::Url, dest: &str) -> Option<Target> {
    if dest.is_empty() || dest.starts_with('#') {
        return None;
    }
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

/// A folder of the output (relative to its root) that the published site does not have: a
/// draft's, a scheduled brief's, or a topic or term all of whose briefs are drafts.
struct Unpublished {
    folder: PathBuf,
    /// The file to publish for the folder to exist.
    file: PathBuf,
    /// When it is due, for a brief scheduled for later.
    scheduled: Option<String>,
}

impl Unpublished {
    /// The error for a link to it from a published page.
    fn linked(&self, shown: &Path, dest: &str) -> Diagnostic {
        let file = self.file.display();
        match &self.scheduled {
            Some(when) => Diagnostic::error(
                shown,
                format!(
                    "link to `{dest}`, a brief scheduled for {when} that the published site \
                     leaves out until then"
                ),
            )
            .help(format!(
                "add the link once {file} is published, or publish both on the same date"
            )),
            None => Diagnostic::error(
                shown,
                format!("link to `{dest}`, a draft that the published site leaves out"),
            )
            .help(format!(
                "publish it first (remove `draft: true` from {file}), or add the link once it is \
                 published"
            )),
        }
    }
}

/// What only a run with drafts or scheduled briefs writes: drafts and their files, briefs
/// scheduled for later, and topics and terms every brief of which is a draft.
fn draft_folders(site: &Site) -> Vec<Unpublished> {
    let folder = |url: &str| url_folder(&site.config, url);
    let now = site.config.build_time;
    let mut folders: Vec<Unpublished> = Vec::new();
    let mut add = |url: &str, file: &Path, scheduled: Option<String>| {
        folders.push(Unpublished {
            folder: folder(url),
            file: file.to_path_buf(),
            scheduled,
        })
    };
    for brief in &site.briefs {
        if brief.doc.draft {
            add(&brief.url, &brief.doc.shown, None);
        } else if brief.doc.is_scheduled(now) {
            let when = brief.doc.due();
            add(&brief.url, &brief.doc.shown, Some(when));
        }
    }
    for page in site.pages.iter().filter(|p| p.doc.draft) {
        add(&page.url, &page.doc.shown, None);
    }
    let terms = site.taxonomies.iter().flat_map(|t| &t.terms);
    for topic in site.topics.iter().chain(terms) {
        let briefs: Vec<_> = topic.briefs.iter().map(|&i| &site.briefs[i]).collect();
        if let Some(first) = briefs.first()
            && briefs.iter().all(|b| b.doc.draft)
        {
            add(&topic.url, &first.doc.shown, None);
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
    rendered: &Targets,
    shown: &Path,
    dest: &str,
    path: &Path,
) -> Diagnostic {
    let root = &site.config.root_path;
    let wanted = Address::of(path);
    let neighbours: Vec<Address> = rendered
        .all()
        .into_iter()
        .map(Address::of)
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

    /// The target of `dest` written on the page at `page`.
    fn target(config: &Config, page: &str, dest: &str) -> Option<Target> {
        link_target(config, &page_base(config, page).unwrap(), dest)
    }

    #[test]
    fn links_resolve_against_the_page_they_are_on() {
        let config = config("https://x.org");
        let on = |dest| file(target(&config, "/briefs/a/", dest));
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
            file(target(&config, "/think/briefs/a/", "/think/about/")),
            Some("about/index.html".into())
        );
        assert_eq!(
            file(target(&config, "/think/briefs/a/", "../b/")),
            Some("briefs/b/index.html".into())
        );
        for dest in ["/about/", "/thinking/"] {
            let target = target(&config, "/think/briefs/a/", dest).unwrap();
            assert!(target.unprefixed, "{dest}");
        }
    }

    #[test]
    fn percent_escapes_decode_and_stray_percents_stay() {
        assert_eq!(percent_decode("/a%20b/caf%C3%A9"), "/a b/café");
        assert_eq!(percent_decode("/100%/x%2"), "/100%/x%2");
    }
}
