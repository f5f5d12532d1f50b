//! Renders the site's pages with the theme's Tera templates, in parallel, into memory, with
//! the files made beside them: feeds, sitemap, robots.txt and each brief's citation files.

pub mod cite;
mod context;
pub mod feeds;
pub mod metadata;
mod page_context;
mod redirects;
pub mod theme;

use crate::cache::Key;
use crate::diagnostics::{Diagnostic, display_path};
use crate::markdown::{MarkdownInput, highlight, inline_text, render_markdown};
use crate::site::{Site, page_url};
use context::*;
pub use context::{human_date, iso_date};
pub use feeds::Feed;
use page_context::PageContext;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
pub use theme::{StaticFile, Theme, load_theme};

/// One file of the built site, relative to the output root.
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: Contents,
}

pub enum Contents {
    Bytes(Vec<u8>),
    /// A file copied as it is (figures beside a brief, a theme's static files).
    Copy(PathBuf),
    Embedded(&'static [u8]),
}

impl Contents {
    /// The bytes, unless they are in a file to copy.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Contents::Bytes(bytes) => Some(bytes),
            Contents::Embedded(bytes) => Some(bytes),
            Contents::Copy(_) => None,
        }
    }
}

/// One page or file to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Job {
    Home {
        page: usize,
    },
    Brief(usize),
    Authors,
    Author {
        index: usize,
        page: usize,
    },
    Topics,
    Topic {
        index: usize,
        page: usize,
    },
    /// The index of one of the site's taxonomies, `/<key>/`.
    Taxonomy(usize),
    /// A page of one term's briefs, `/<key>/<slug>/`.
    Term {
        taxonomy: usize,
        index: usize,
        page: usize,
    },
    Page(usize),
    /// A page of the index of cited domains, `/sources/`.
    Sources {
        page: usize,
    },
    /// A page of one domain's cited URLs, `/sources/<domain>/` (index into the domains).
    SourceDomain {
        index: usize,
        page: usize,
    },
    /// `/search/`, when `[search] enabled` (the default).
    Search,
    NotFound,
    /// A file that is not an HTML page.
    File(FileJob),
}

/// The files folio writes besides pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileJob {
    /// `/briefs/<slug>/cite.bib` (index into the briefs).
    CiteBib(usize),
    /// `/briefs/<slug>/cite.ris`.
    CiteRis(usize),
    Feed(Feed),
    /// `/sitemap.xml` (0), or `/sitemap-N.xml` when the sitemap is split.
    Sitemap(usize),
    Robots,
    /// A redirect page at an old address of a brief: its index, and the alias's.
    Redirect(usize, usize),
    /// `/_redirects`, every alias as Netlify and Cloudflare Pages read them.
    Redirects,
}

impl Job {
    /// Whether the job renders an HTML page with a template.
    pub fn is_page(&self) -> bool {
        !matches!(self, Job::File(_))
    }
}

/// What rendering the whole site made, once every file has been handed on.
pub struct RenderedSite {
    /// Every file's path, relative to the output root (for the link check).
    pub paths: Vec<PathBuf>,
    /// How many of them are HTML pages.
    pub pages: usize,
    /// Each page's path and key (see `page_context`), rendered or kept.
    pub keys: Vec<(PathBuf, Key)>,
}

/// Asked with a page's path and key before the page is rendered: true when the last build's
/// file for that path had the same key and has been put in the new output in its place.
/// `None` renders every page and makes no keys, for callers that keep no pages (the preview,
/// `check`): a key costs about a fifth of rendering a brief.
pub type Reuse<'r> = Option<&'r (dyn Fn(&Path, Key) -> bool + Sync)>;

/// What one job made: its file, unless the last build's was kept.
struct Made {
    path: PathBuf,
    file: Option<OutputFile>,
    key: Option<Key>,
}

/// Why rendering the site stopped.
pub enum RenderFailure {
    /// Pages whose templates failed.
    Pages(Vec<Diagnostic>),
    /// `emit` could not take a file (writing it failed).
    Emit(anyhow::Error),
}

/// Renders every page and generated file, and lists the files copied beside them, handing each
/// to `emit` as soon as it is made, from rayon's threads: no page is held in memory after it is
/// written. Every page is rendered even when some fail, so all template errors are reported.
pub fn render_site(
    site: &Site,
    theme: &mut Theme,
    emit: &(dyn Fn(&OutputFile) -> anyhow::Result<()> + Sync),
    reuse: Reuse<'_>,
) -> Result<RenderedSite, RenderFailure> {
    prepare_theme(site, theme);
    let theme = &*theme;
    let jobs = jobs(site);
    let copies = copied_files(site, theme);
    let made: Vec<Result<(PathBuf, Option<Key>), RenderFailure>> = jobs
        .par_iter()
        .map(|&job| {
            let made = make_job(site, theme, job, reuse)
                .map_err(|problem| RenderFailure::Pages(vec![problem]))?;
            if let Some(file) = &made.file {
                emit(file).map_err(RenderFailure::Emit)?;
            }
            Ok((made.path, made.key))
        })
        .chain(copies.into_par_iter().map(|file| {
            emit(&file).map_err(RenderFailure::Emit)?;
            Ok((file.path, None))
        }))
        .collect();
    let mut paths = Vec::with_capacity(made.len());
    let mut keys = Vec::new();
    let mut problems = Vec::new();
    for result in made {
        match result {
            Ok((path, key)) => {
                if let Some(key) = key {
                    keys.push((path.clone(), key));
                }
                paths.push(path);
            }
            Err(RenderFailure::Pages(mut failed)) => problems.append(&mut failed),
            Err(failure @ RenderFailure::Emit(_)) => return Err(failure),
        }
    }
    if !problems.is_empty() {
        return Err(RenderFailure::Pages(problems));
    }
    let pages = jobs.iter().filter(|job| job.is_page()).count();
    Ok(RenderedSite { paths, pages, keys })
}

/// Files of the site's (a static file, a file beside a brief) that would land where folio
/// writes a page or file of its own, or two of folio's own at one path: an error naming both,
/// rather than one silently replacing the other.
pub fn clashes(site: &Site, planned: &PlannedFiles) -> Vec<Diagnostic> {
    let mut made: HashMap<&Path, Job> = HashMap::with_capacity(planned.jobs.len());
    let mut problems = Vec::new();
    let shown = |path: &Path| format!("/{}", path.to_string_lossy().replace('\\', "/"));
    for (path, job) in &planned.jobs {
        let job = *job;
        if let Some(first) = made.insert(path, job) {
            // A page at a reserved slug is already an error of its own.
            let reserved = [first, job].into_iter().any(|job| {
                matches!(job, Job::Page(page) if crate::site::is_reserved_slug(&site.config, &site.pages[page].doc.slug))
            });
            if !reserved {
                problems.push(job_clash(site, first, job, &shown(path)));
            }
        }
    }
    for copy in &planned.copies {
        if !made.contains_key(copy.path.as_path()) {
            continue;
        }
        let source = match &copy.contents {
            Contents::Copy(source) => display_path(&site.config.root, source),
            _ => PathBuf::from(format!("the theme's static/{}", copy.path.display())),
        };
        problems.push(
            Diagnostic::error(
                source,
                format!(
                    "this file would be published at `{}`, where folio writes a file of its own",
                    shown(&copy.path)
                ),
            )
            .help("rename or move the file: folio does not overwrite it, nor it folio's"),
        );
    }
    problems
}

/// A template that failed to render a page, at the template, line and column Tera names.
fn render_error(template: &str, url: &str, err: &tera::Error) -> Diagnostic {
    let report = err.to_string();
    let place = theme::template_place(&report);
    let name = place
        .as_ref()
        .map_or(template, |(name, _, _)| name.as_str());
    let mut diagnostic = Diagnostic::error(
        format!("templates/{name}"),
        format!("could not render {url}: {report}"),
    )
    .help("fix the template; docs/THEME.md lists what each template receives");
    if let Some((_, line, column)) = place {
        diagnostic.line = line;
        diagnostic.column = column;
    }
    diagnostic
}

/// The error for two jobs at one path: an alias (`aliases:`) at the address of another page or
/// alias, named at the alias's line; otherwise two of folio's own pages, which only reserved
/// page slugs prevent.
fn job_clash(site: &Site, first: Job, second: Job, path: &str) -> Diagnostic {
    let alias_of = |job: Job| match job {
        Job::File(FileJob::Redirect(brief, alias)) => Some((brief, alias)),
        _ => None,
    };
    let (redirect, other) = match (alias_of(second), alias_of(first)) {
        (Some(redirect), _) => (redirect, first),
        (None, Some(redirect)) => (redirect, second),
        (None, None) => {
            let page = [first, second].into_iter().find_map(|job| match job {
                Job::Page(page) => Some(&site.pages[page].doc),
                _ => None,
            });
            return match page {
                Some(doc) => Diagnostic::error(
                    &doc.shown,
                    format!(
                        "this page's address, `{path}`, is one folio writes a page of its own at"
                    ),
                )
                .help("give the page another `slug:` or file name"),
                None => Diagnostic::error(
                    "site.toml",
                    format!("two of the site's own pages would be written at `{path}`"),
                ),
            };
        }
    };
    let doc = &site.briefs[redirect.0].doc;
    let alias = &doc.aliases[redirect.1];
    let what = match other {
        Job::File(FileJob::Redirect(brief, _)) => {
            format!(
                "also an alias of {}",
                site.briefs[brief].doc.shown.display()
            )
        }
        Job::Brief(brief) => format!("the address of {}", site.briefs[brief].doc.shown.display()),
        Job::Page(page) => format!("the address of {}", site.pages[page].doc.shown.display()),
        _ => "the address of a page folio writes".to_string(),
    };
    alias
        .place
        .error(&doc.shown, format!("the alias `{}` is {what}", alias.value))
        .width(alias.value.chars().count())
        .help("an alias is an old address that no longer has a page: remove it, or correct it")
}

/// The organisation's About (`[organization] about` in site.toml), Markdown made HTML.
pub fn about_html(site: &Site) -> Option<String> {
    let about = site.config.organization.about.as_deref()?;
    let input = MarkdownInput {
        text: about,
        first_line: 1,
        path: Path::new("site.toml"),
        id_prefix: "about-",
        root_path: &site.config.root_path,
    };
    Some(render_markdown(&input).0.html)
}

/// Gives the theme what every page shares (the site's view), once per site.
pub fn prepare_theme(site: &Site, theme: &mut Theme) {
    let about_html = about_html(site);
    let site_view = SiteView::new(site, about_html.as_deref());
    let mut shared = PageContext::new();
    shared.insert("site", &site_view);
    shared.insert("drafts_shown", site.drafts_shown);
    theme.shared = shared.key(theme.fingerprint, "");
    let globals = theme.tera.global_context();
    globals.insert("site", &site_view);
    globals.insert("drafts_shown", &site.drafts_shown);
}

/// Renders the given pages in parallel (the theme must be prepared for this site).
pub fn render_jobs(
    site: &Site,
    theme: &Theme,
    jobs: &[Job],
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let rendered: Vec<Result<OutputFile, Diagnostic>> = jobs
        .par_iter()
        .map(|&job| {
            let made = make_job(site, theme, job, None)?;
            Ok(made
                .file
                .expect("a page is rendered when it cannot be reused"))
        })
        .collect();
    let mut files = Vec::with_capacity(rendered.len());
    let mut problems = Vec::new();
    for result in rendered {
        match result {
            Ok(file) => files.push(file),
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// Every page and generated file of the site.
pub fn jobs(site: &Site) -> Vec<Job> {
    let per = site.config.paginate;
    let mut jobs: Vec<Job> = (1..=page_count(site.briefs.len(), per))
        .map(|page| Job::Home { page })
        .collect();
    jobs.extend((0..site.briefs.len()).map(Job::Brief));
    jobs.push(Job::Authors);
    for (index, author) in site.authors.iter().enumerate() {
        jobs.extend(
            (1..=page_count(author.briefs.len(), per)).map(|page| Job::Author { index, page }),
        );
    }
    jobs.push(Job::Topics);
    for (index, topic) in site.topics.iter().enumerate() {
        jobs.extend(
            (1..=page_count(topic.briefs.len(), per)).map(|page| Job::Topic { index, page }),
        );
    }
    for (taxonomy, t) in site.taxonomies.iter().enumerate() {
        jobs.push(Job::Taxonomy(taxonomy));
        for (index, term) in t.terms.iter().enumerate() {
            jobs.extend(
                (1..=page_count(term.briefs.len(), per)).map(|page| Job::Term {
                    taxonomy,
                    index,
                    page,
                }),
            );
        }
    }
    jobs.extend((0..site.pages.len()).map(Job::Page));
    jobs.extend((1..=site.sources.page_count()).map(|page| Job::Sources { page }));
    for (index, domain) in site.sources.domains.iter().enumerate() {
        jobs.extend((1..=domain.pages.len()).map(|page| Job::SourceDomain { index, page }));
    }
    if site.config.search.enabled {
        jobs.push(Job::Search);
    }
    jobs.push(Job::NotFound);
    let listed = jobs.iter().filter(|&&job| feeds::in_sitemap(site, job));
    let sitemap_parts = feeds::sitemap_parts(listed.count());
    for brief in 0..site.briefs.len() {
        jobs.push(Job::File(FileJob::CiteBib(brief)));
        jobs.push(Job::File(FileJob::CiteRis(brief)));
    }
    jobs.push(Job::File(FileJob::Feed(Feed::Site)));
    jobs.extend((0..site.topics.len()).map(|t| Job::File(FileJob::Feed(Feed::Topic(t)))));
    jobs.extend((0..site.authors.len()).map(|a| Job::File(FileJob::Feed(Feed::Author(a)))));
    for (t, taxonomy) in site.taxonomies.iter().enumerate() {
        jobs.extend(
            (0..taxonomy.terms.len()).map(|term| Job::File(FileJob::Feed(Feed::Term(t, term)))),
        );
    }
    jobs.extend((0..=sitemap_parts).map(|part| Job::File(FileJob::Sitemap(part))));
    jobs.push(Job::File(FileJob::Robots));
    let mut redirects = false;
    for (brief, b) in site.briefs.iter().enumerate() {
        jobs.extend(
            (0..b.doc.aliases.len()).map(|alias| Job::File(FileJob::Redirect(brief, alias))),
        );
        redirects |= !b.doc.aliases.is_empty();
    }
    if redirects {
        jobs.push(Job::File(FileJob::Redirects));
    }
    jobs
}

pub fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// Renders one job's page or file, unless `reuse` keeps the last build's page.
fn make_job(site: &Site, theme: &Theme, job: Job, reuse: Reuse<'_>) -> Result<Made, Diagnostic> {
    let config = &site.config;
    let url = job_url(site, job);
    let path = output_path(&config.root_path, &url);
    if let Job::File(file) = job {
        let file = OutputFile {
            path: path.clone(),
            contents: Contents::Bytes(render_file(site, file)),
        };
        return Ok(Made {
            path,
            file: Some(file),
            key: None,
        });
    }
    let default_description = config.description.as_deref().unwrap_or(&config.title);
    let owned_finding: Option<String>;
    let mut context = PageContext::new();
    let mut feeds = vec![FeedLink::new(site, Feed::Site)];
    let owned_title: String;
    let (template, title, description, has_code) = match job {
        Job::Home { page } => {
            let briefs: Vec<usize> = (0..site.briefs.len()).collect();
            listing(site, &mut context, &config.url("/"), &briefs, page);
            // The front (topics and their newest briefs) is on the first page only.
            let (front, terms) = if page == 1 {
                (FrontTopicView::all(site), FrontTaxonomyView::all(site))
            } else {
                (Vec::new(), Vec::new())
            };
            context.insert("front_topics", front);
            context.insert("front_taxonomies", terms);
            ("index.html", "", default_description, false)
        }
        Job::Brief(index) => {
            let brief = &site.briefs[index];
            context.insert("brief", BriefView::new(site, brief));
            // The summary, else the first key finding, else the subtitle.
            owned_finding = brief
                .doc
                .key_findings
                .first()
                .map(|f| inline_text(&f.value));
            let description = brief
                .doc
                .summary
                .as_deref()
                .or(owned_finding.as_deref())
                .or(brief.doc.subtitle.as_deref());
            (
                "brief.html",
                brief.doc.title.as_str(),
                description.unwrap_or(default_description),
                brief.doc.body.has_code,
            )
        }
        Job::Authors => {
            let authors: Vec<AuthorView> = site
                .authors
                .iter()
                .map(|a| AuthorView::new(site, a))
                .collect();
            context.insert("authors", authors);
            ("authors.html", "Authors", default_description, false)
        }
        Job::Author { index, page } => {
            let author = &site.authors[index];
            context.insert("author", AuthorView::new(site, author));
            feeds.push(FeedLink::new(site, Feed::Author(index)));
            listing(site, &mut context, &author.url, &author.briefs, page);
            let description = author.doc.role.as_deref().unwrap_or(default_description);
            ("author.html", author.doc.name.as_str(), description, false)
        }
        Job::Topics => {
            let topics: Vec<TopicView> = site.topics.iter().map(TopicView::new).collect();
            context.insert("topics", topics);
            ("topics.html", "Topics", default_description, false)
        }
        Job::Topic { index, page } => {
            let topic = &site.topics[index];
            context.insert("topic", TopicView::new(topic));
            feeds.push(FeedLink::new(site, Feed::Topic(index)));
            listing(site, &mut context, &topic.url, &topic.briefs, page);
            (
                "topic.html",
                topic.name.as_str(),
                default_description,
                false,
            )
        }
        Job::Taxonomy(index) => {
            let taxonomy = &site.taxonomies[index];
            context.insert("taxonomy", TaxonomyView::new(taxonomy));
            let terms: Vec<TopicView> = taxonomy.terms.iter().map(TopicView::new).collect();
            context.insert("terms", terms);
            (
                "taxonomy.html",
                taxonomy.plural.as_str(),
                default_description,
                false,
            )
        }
        Job::Term {
            taxonomy,
            index,
            page,
        } => {
            let term = &site.taxonomies[taxonomy].terms[index];
            context.insert("taxonomy", TaxonomyView::new(&site.taxonomies[taxonomy]));
            context.insert("term", TopicView::new(term));
            feeds.push(FeedLink::new(site, Feed::Term(taxonomy, index)));
            listing(site, &mut context, &term.url, &term.briefs, page);
            ("term.html", term.name.as_str(), default_description, false)
        }
        Job::Page(index) => {
            let page = &site.pages[index];
            context.insert("page", PageView::new(page));
            let description = page.doc.summary.as_deref().unwrap_or(default_description);
            (
                "page.html",
                page.doc.title.as_str(),
                description,
                page.doc.body.has_code,
            )
        }
        Job::Sources { page } => {
            let index = &site.sources;
            let domains: Vec<DomainView> = index
                .domains_on_page(page)
                .iter()
                .map(DomainView::new)
                .collect();
            context.insert("domains", domains);
            context.insert("source_totals", SourceTotalsView::new(index));
            let base = config.url("/sources/");
            context.insert("pagination", pagination(&base, page, index.page_count()));
            ("sources.html", "Sources", default_description, false)
        }
        Job::SourceDomain { index, page } => {
            let domain = &site.sources.domains[index];
            let sources: Vec<IndexedSourceView> = domain.sources[domain.pages[page - 1].clone()]
                .iter()
                .map(|source| IndexedSourceView::new(site, source))
                .collect();
            context.insert("domain", DomainView::new(domain));
            context.insert("sources", sources);
            context.insert(
                "pagination",
                pagination(&domain.url, page, domain.pages.len()),
            );
            owned_title = format!("{} — Sources", domain.name);
            (
                "source_domain.html",
                owned_title.as_str(),
                default_description,
                false,
            )
        }
        Job::Search => {
            search_context(site, &mut context);
            ("search.html", "Search", default_description, false)
        }
        Job::NotFound => ("404.html", "Page not found", default_description, false),
        Job::File(_) => unreachable!("files are rendered above"),
    };
    context.insert("feeds", feeds);
    context.insert("page_title", title.to_string());
    context.insert("canonical_url", config.absolute_url(&url));
    context.insert("page_url", url.as_str());
    context.insert("description", description);
    context.insert("has_code", has_code);
    let key = reuse.map(|reuse| (context.key(theme.shared, template), reuse));
    if let Some((key, reuse)) = key
        && reuse(&path, key)
    {
        return Ok(Made {
            path,
            file: None,
            key: Some(key),
        });
    }
    let key = key.map(|(key, _)| key);
    let html = theme
        .tera
        .render(template, &context.into_tera())
        .map_err(|err| render_error(template, &url, &err))?;
    let file = OutputFile {
        path: path.clone(),
        contents: Contents::Bytes(html.into_bytes()),
    };
    Ok(Made {
        path,
        file: Some(file),
        key,
    })
}

/// The URL of the page a job renders.
pub fn job_url(site: &Site, job: Job) -> String {
    let config = &site.config;
    match job {
        Job::Home { page } => page_url(&config.url("/"), page),
        Job::Brief(index) => site.briefs[index].url.clone(),
        Job::Authors => config.url("/authors/"),
        Job::Author { index, page } => page_url(&site.authors[index].url, page),
        Job::Topics => config.url("/topics/"),
        Job::Topic { index, page } => page_url(&site.topics[index].url, page),
        Job::Taxonomy(index) => site.taxonomies[index].url.clone(),
        Job::Term {
            taxonomy,
            index,
            page,
        } => page_url(&site.taxonomies[taxonomy].terms[index].url, page),
        Job::Page(index) => site.pages[index].url.clone(),
        Job::Sources { page } => page_url(&config.url("/sources/"), page),
        Job::SourceDomain { index, page } => page_url(&site.sources.domains[index].url, page),
        Job::Search => config.url("/search/"),
        Job::NotFound => config.url("/404.html"),
        Job::File(FileJob::CiteBib(index)) => format!("{}cite.bib", site.briefs[index].url),
        Job::File(FileJob::CiteRis(index)) => format!("{}cite.ris", site.briefs[index].url),
        Job::File(FileJob::Feed(feed)) => feeds::feed_url(site, feed),
        Job::File(FileJob::Sitemap(part)) => feeds::sitemap_url(site, part),
        Job::File(FileJob::Robots) => config.url("/robots.txt"),
        Job::File(FileJob::Redirect(brief, alias)) => {
            config.url(&site.briefs[brief].doc.aliases[alias].value)
        }
        Job::File(FileJob::Redirects) => config.url("/_redirects"),
    }
}

/// The contents of a generated file.
fn render_file(site: &Site, file: FileJob) -> Vec<u8> {
    match file {
        FileJob::CiteBib(index) => {
            cite::bibtex(&cite::Reference::new(site, &site.briefs[index])).into_bytes()
        }
        FileJob::CiteRis(index) => {
            cite::ris(&cite::Reference::new(site, &site.briefs[index])).into_bytes()
        }
        FileJob::Feed(feed) => feeds::atom_feed(site, feed),
        FileJob::Sitemap(part) => {
            let entries = feeds::sitemap_entries(site, &jobs(site));
            feeds::sitemap(site, &entries, part)
        }
        FileJob::Robots => feeds::robots(site).into_bytes(),
        FileJob::Redirect(brief, _) => redirects::page(site, &site.briefs[brief]).into_bytes(),
        FileJob::Redirects => redirects::netlify(site).into_bytes(),
    }
}

/// Where a job's page is written, relative to the output root.
pub fn job_path(site: &Site, job: Job) -> PathBuf {
    output_path(&site.config.root_path, &job_url(site, job))
}

/// Puts one page of a list of briefs, and its pagination, into the context.
fn listing<'a>(
    site: &'a Site,
    context: &mut PageContext<'a>,
    base: &str,
    briefs: &[usize],
    page: usize,
) {
    let per = site.config.paginate;
    let total = page_count(briefs.len(), per);
    let cards: Vec<CardView> = briefs
        .iter()
        .skip((page - 1) * per)
        .take(per)
        .map(|&i| CardView::new(site, &site.briefs[i]))
        .collect();
    context.insert("briefs", cards);
    context.insert("pagination", pagination(base, page, total));
}

/// What the search page offers to filter by (the topics, authors and years of the briefs),
/// and the links it shows without JavaScript.
fn search_context<'a>(site: &'a Site, context: &mut PageContext<'a>) {
    let topics: Vec<TopicView> = site.topics.iter().map(TopicView::new).collect();
    let authors: Vec<AuthorView> = site
        .authors
        .iter()
        .filter(|a| !a.briefs.is_empty())
        .map(|a| AuthorView::new(site, a))
        .collect();
    let mut years: Vec<String> = site
        .briefs
        .iter()
        .map(|b| b.doc.date.format("%Y").to_string())
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    context.insert("topics", topics);
    context.insert("authors", authors);
    context.insert("years", years);
}

/// Page `page` of `total` of a listing at `base`.
fn pagination(base: &str, page: usize, total: usize) -> PaginationView {
    PaginationView {
        current: page,
        total,
        prev_url: (page > 1).then(|| page_url(base, page - 1)),
        next_url: (page < total).then(|| page_url(base, page + 1)),
        pages: pager_numbers(page, total)
            .into_iter()
            .scan(0, |last, number| {
                let gap_before = number > *last + 1 && *last > 0;
                *last = number;
                Some(PageLink {
                    number,
                    url: page_url(base, number),
                    current: number == page,
                    gap_before,
                })
            })
            .collect(),
    }
}

/// Pages either side of the current one that a pager links.
const PAGER_REACH: usize = 2;

/// The page numbers a pager links: the first, the last, and those within `PAGER_REACH` of
/// `page`; a gap of one page is filled rather than marked. Listing every page would make each
/// page of a 10,000-brief archive carry a thousand links.
fn pager_numbers(page: usize, total: usize) -> Vec<usize> {
    let near = page.saturating_sub(PAGER_REACH).max(1)..=(page + PAGER_REACH).min(total);
    let mut numbers: Vec<usize> = [1, total].into_iter().chain(near).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut filled = Vec::with_capacity(numbers.len() + 2);
    for number in numbers {
        if filled.last().is_some_and(|&last| number == last + 2) {
            filled.push(number - 1);
        }
        filled.push(number);
    }
    filled
}

/// Where a page's URL is written: `/a/b/` → `a/b/index.html`.
fn output_path(root_path: &str, url: &str) -> PathBuf {
    let path = url
        .strip_prefix(root_path)
        .unwrap_or(url)
        .trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        PathBuf::from(path).join("index.html")
    } else {
        PathBuf::from(path)
    }
}

/// Every file a build of `site` writes besides the search index, relative to the output root,
/// known before any page is rendered: what the link rule checks links against.
pub struct PlannedFiles {
    /// Each page's (or generated file's) path, with the job that renders it.
    pub jobs: Vec<(PathBuf, Job)>,
    /// The files copied beside the pages.
    pub copies: Vec<OutputFile>,
    /// The PDFs typeset beside their briefs.
    pub pdfs: Vec<PathBuf>,
}

impl PlannedFiles {
    pub fn of(site: &Site, theme: &Theme) -> PlannedFiles {
        PlannedFiles {
            jobs: jobs(site)
                .into_iter()
                .map(|job| (job_path(site, job), job))
                .collect(),
            copies: copied_files(site, theme),
            pdfs: site
                .briefs
                .iter()
                .filter_map(|b| typeset_pdf_path(site, b))
                .collect(),
        }
    }

    /// Every file's path, as the link rule looks them up.
    pub fn paths(&self) -> HashSet<&Path> {
        let pages = self.jobs.iter().map(|(path, _)| path.as_path());
        let copies = self.copies.iter().map(|file| file.path.as_path());
        pages
            .chain(copies)
            .chain(self.pdfs.iter().map(PathBuf::as_path))
            .collect()
    }
}

/// The folder of a brief's page, relative to the output root.
fn page_folder(site: &Site, brief: &crate::site::Brief) -> PathBuf {
    let page = output_path(&site.config.root_path, &brief.url);
    page.parent().unwrap_or(Path::new("")).to_path_buf()
}

/// Where the PDF folio typesets for `brief` is written, relative to the output root, if it
/// typesets one.
pub fn typeset_pdf_path(site: &Site, brief: &crate::site::Brief) -> Option<PathBuf> {
    let pdf = brief.pdf.as_ref().filter(|pdf| pdf.typeset)?;
    Some(page_folder(site, brief).join(&pdf.href))
}

/// A typeset PDF, once the PDF stage has made it, as a file beside its brief's page.
fn typeset_pdf(site: &Site, brief: &crate::site::Brief) -> Option<OutputFile> {
    let path = typeset_pdf_path(site, brief)?;
    let pdf = brief.pdf.as_ref()?;
    let contents = match (&pdf.file, &pdf.data) {
        (Some(file), _) => Contents::Copy(file.clone()),
        (None, Some(data)) => Contents::Bytes(data.to_vec()),
        (None, None) => return None,
    };
    Some(OutputFile { path, contents })
}

/// Static files of the theme and site, figures beside briefs, and the code stylesheet.
pub fn copied_files(site: &Site, theme: &Theme) -> Vec<OutputFile> {
    let mut files: Vec<OutputFile> = theme
        .statics
        .iter()
        .map(|(path, file)| OutputFile {
            path: path.clone(),
            contents: match file {
                StaticFile::Disk(source) => Contents::Copy(source.clone()),
                StaticFile::Embedded(bytes) => Contents::Embedded(bytes),
                StaticFile::Minified(bytes) => Contents::Bytes(bytes.clone()),
            },
        })
        .collect();
    for brief in &site.briefs {
        let page_dir = page_folder(site, brief);
        files.extend(typeset_pdf(site, brief));
        match &brief.doc.bundle {
            Some((dir, assets)) => files.extend(assets.iter().map(|asset| OutputFile {
                path: page_dir.join(asset),
                contents: Contents::Copy(dir.join(asset)),
            })),
            // A brief in a single file has its PDF beside it, not in a folder of its own.
            None => files.extend(
                brief
                    .pdf
                    .iter()
                    .filter(|pdf| !pdf.typeset)
                    .filter_map(|pdf| {
                        Some(OutputFile {
                            path: page_dir.join(&pdf.href),
                            contents: Contents::Copy(pdf.file.clone()?),
                        })
                    }),
            ),
        }
    }
    if site.has_code() {
        files.push(OutputFile {
            path: PathBuf::from("syntax.css"),
            contents: Contents::Bytes(highlight::stylesheet().into_bytes()),
        });
    }
    files
}

#[cfg(test)]
mod tests {
    use super::pager_numbers;

    #[test]
    fn pagers_link_the_ends_and_the_pages_near_the_current_one() {
        assert_eq!(pager_numbers(1, 1), [1]);
        assert_eq!(
            pager_numbers(1, 5),
            [1, 2, 3, 4, 5],
            "a gap of one is filled"
        );
        assert_eq!(pager_numbers(2, 7), [1, 2, 3, 4, 7]);
        assert_eq!(pager_numbers(1, 1000), [1, 2, 3, 1000]);
        assert_eq!(pager_numbers(500, 1000), [1, 498, 499, 500, 501, 502, 1000]);
        assert_eq!(
            pager_numbers(996, 1000),
            [1, 994, 995, 996, 997, 998, 999, 1000]
        );
        for total in 1..60 {
            for page in 1..=total {
                let numbers = pager_numbers(page, total);
                assert!(numbers.len() <= 9 && numbers.contains(&page));
                assert!(numbers.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}
