//! Renders the site's pages with the theme's Tera templates, in parallel, into memory.

mod context;
pub mod theme;

use crate::diagnostics::Diagnostic;
use crate::markdown::{MarkdownInput, highlight, render_markdown};
use crate::site::Site;
use context::*;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use tera::Context;
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

/// One page to render.
#[derive(Clone, Copy)]
enum Job {
    Home { page: usize },
    Brief(usize),
    Authors,
    Author { index: usize, page: usize },
    Topics,
    Topic { index: usize, page: usize },
    Page(usize),
    NotFound,
}

/// Renders every page, and lists the files to copy beside them; `pages` counts HTML pages.
pub fn render_site(
    site: &Site,
    theme: &mut Theme,
) -> Result<(Vec<OutputFile>, usize), Vec<Diagnostic>> {
    let about_html = site.config.organization.about.as_deref().map(|about| {
        let input = MarkdownInput {
            text: about,
            first_line: 1,
            path: Path::new("site.toml"),
            id_prefix: "about-",
        };
        render_markdown(&input).0.html
    });
    theme
        .tera
        .global_context()
        .insert("site", &SiteView::new(site, about_html.as_deref()));
    theme
        .tera
        .global_context()
        .insert("drafts_shown", &site.drafts_shown);
    let theme = &*theme;
    let jobs = jobs(site);
    let rendered: Vec<Result<OutputFile, Diagnostic>> = jobs
        .par_iter()
        .map(|&job| render_job(site, theme, job))
        .collect();
    let mut files = Vec::with_capacity(rendered.len());
    let mut problems = Vec::new();
    for result in rendered {
        match result {
            Ok(file) => files.push(file),
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let pages = files.len();
    files.extend(copied_files(site, theme));
    Ok((files, pages))
}

fn jobs(site: &Site) -> Vec<Job> {
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
    jobs.extend((0..site.pages.len()).map(Job::Page));
    jobs.push(Job::NotFound);
    jobs
}

fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

fn render_job(site: &Site, theme: &Theme, job: Job) -> Result<OutputFile, Diagnostic> {
    let config = &site.config;
    let default_description = config.description.as_deref().unwrap_or(&config.title);
    let mut context = Context::new();
    let (template, url, title, description, has_code) = match job {
        Job::Home { page } => {
            let base = config.url("/");
            let briefs: Vec<usize> = (0..site.briefs.len()).collect();
            listing(site, &mut context, &base, &briefs, page);
            (
                "index.html",
                page_url(&base, page),
                "",
                default_description,
                false,
            )
        }
        Job::Brief(index) => {
            let brief = &site.briefs[index];
            context.insert("brief", &BriefView::new(site, brief));
            let description = brief
                .doc
                .summary
                .as_deref()
                .or(brief.doc.subtitle.as_deref());
            (
                "brief.html",
                brief.url.clone(),
                brief.doc.title.as_str(),
                description.unwrap_or(default_description),
                brief.doc.body.has_code,
            )
        }
        Job::Authors => {
            let authors: Vec<AuthorView> = site.authors.iter().map(AuthorView::new).collect();
            context.insert("authors", &authors);
            (
                "authors.html",
                config.url("/authors/"),
                "Authors",
                default_description,
                false,
            )
        }
        Job::Author { index, page } => {
            let author = &site.authors[index];
            context.insert("author", &AuthorView::new(author));
            listing(site, &mut context, &author.url, &author.briefs, page);
            let description = author.doc.role.as_deref().unwrap_or(default_description);
            (
                "author.html",
                page_url(&author.url, page),
                author.doc.name.as_str(),
                description,
                false,
            )
        }
        Job::Topics => {
            let topics: Vec<TopicView> = site.topics.iter().map(TopicView::new).collect();
            context.insert("topics", &topics);
            (
                "topics.html",
                config.url("/topics/"),
                "Topics",
                default_description,
                false,
            )
        }
        Job::Topic { index, page } => {
            let topic = &site.topics[index];
            context.insert("topic", &TopicView::new(topic));
            listing(site, &mut context, &topic.url, &topic.briefs, page);
            (
                "topic.html",
                page_url(&topic.url, page),
                topic.name.as_str(),
                default_description,
                false,
            )
        }
        Job::Page(index) => {
            let page = &site.pages[index];
            context.insert("page", &PageView::new(page));
            let description = page.doc.summary.as_deref().unwrap_or(default_description);
            (
                "page.html",
                page.url.clone(),
                page.doc.title.as_str(),
                description,
                page.doc.body.has_code,
            )
        }
        Job::NotFound => (
            "404.html",
            config.url("/404.html"),
            "Page not found",
            default_description,
            false,
        ),
    };
    context.insert("page_title", title);
    context.insert("canonical_url", &config.absolute_url(&url));
    context.insert("page_url", &url);
    context.insert("description", description);
    context.insert("has_code", &has_code);
    let html = theme.tera.render(template, &context).map_err(|err| {
        Diagnostic::error(
            format!("templates/{template}"),
            format!("could not render {url}: {err}"),
        )
        .help("fix the template; docs/THEME.md lists what each template receives")
    })?;
    Ok(OutputFile {
        path: output_path(&config.root_path, &url),
        contents: Contents::Bytes(html.into_bytes()),
    })
}

/// Puts one page of a list of briefs, and its pagination, into the context.
fn listing(site: &Site, context: &mut Context, base: &str, briefs: &[usize], page: usize) {
    let per = site.config.paginate;
    let total = page_count(briefs.len(), per);
    let cards: Vec<CardView> = briefs
        .iter()
        .skip((page - 1) * per)
        .take(per)
        .map(|&i| CardView::new(site, &site.briefs[i]))
        .collect();
    context.insert("briefs", &cards);
    let pagination = PaginationView {
        current: page,
        total,
        prev_url: (page > 1).then(|| page_url(base, page - 1)),
        next_url: (page < total).then(|| page_url(base, page + 1)),
        pages: (1..=total)
            .map(|number| PageLink {
                number,
                url: page_url(base, number),
                current: number == page,
            })
            .collect(),
    };
    context.insert("pagination", &pagination);
}

/// The URL of page `n` of a listing at `base` (which ends in `/`).
fn page_url(base: &str, n: usize) -> String {
    if n == 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
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

/// Static files of the theme and site, figures beside briefs, and the code stylesheet.
fn copied_files(site: &Site, theme: &Theme) -> Vec<OutputFile> {
    let mut files: Vec<OutputFile> = theme
        .statics
        .iter()
        .map(|(path, file)| OutputFile {
            path: path.clone(),
            contents: match file {
                StaticFile::Disk(source) => Contents::Copy(source.clone()),
                StaticFile::Embedded(bytes) => Contents::Embedded(bytes),
            },
        })
        .collect();
    for brief in &site.briefs {
        let Some((dir, assets)) = &brief.doc.bundle else {
            continue;
        };
        let page_dir = output_path(&site.config.root_path, &brief.url);
        let page_dir = page_dir.parent().unwrap_or(Path::new(""));
        files.extend(assets.iter().map(|asset| OutputFile {
            path: page_dir.join(asset),
            contents: Contents::Copy(dir.join(asset)),
        }));
    }
    if site.has_code() {
        files.push(OutputFile {
            path: PathBuf::from("syntax.css"),
            contents: Contents::Bytes(highlight::stylesheet().into_bytes()),
        });
    }
    files
}
