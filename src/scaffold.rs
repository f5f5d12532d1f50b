//! `folio new` and `folio init`: start a brief, an author or a whole site from a template that
//! builds at once, and never write over a file that is already there.

use crate::content::is_slug;
use crate::diagnostics::{Diagnostic, suggest};
use crate::fsutil;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why nothing (or, for a failed write, not everything) was written.
#[derive(Debug)]
pub enum ScaffoldError {
    /// The request cannot be met as asked — no site here, an unknown author, a file or folder
    /// already there: exit code 2.
    Refused(Vec<Diagnostic>),
    /// Writing failed: exit code 1.
    Write(anyhow::Error),
}

impl ScaffoldError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ScaffoldError::Refused(_) => 2,
            ScaffoldError::Write(_) => 1,
        }
    }
}

/// What `folio new brief` was asked to write.
#[derive(Debug, Clone)]
pub struct NewBrief {
    pub root: PathBuf,
    pub title: String,
    /// Author slugs; at least one, each of a file in `content/authors/`.
    pub authors: Vec<String>,
    /// Overrides the slug made from the title.
    pub slug: Option<String>,
}

/// Writes `content/briefs/<slug>.md`, a draft dated today; returns its path.
pub fn new_brief(options: &NewBrief) -> Result<PathBuf, ScaffoldError> {
    require_site(&options.root)?;
    let slug = slug_for(&options.title, options.slug.as_deref(), "content/briefs")?;
    let known = known_authors(&options.root);
    let mut problems = Vec::new();
    if options.authors.is_empty() {
        problems.push(
            Diagnostic::error("content/authors", "a brief needs at least one author")
                .help(authors_hint(&known)),
        );
    }
    let mut authors: Vec<&str> = Vec::new();
    for author in &options.authors {
        if !known.contains(author) {
            let help = match suggest(author, known.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`?"),
                None => authors_hint(&known),
            };
            problems.push(
                Diagnostic::error("content/authors", format!("unknown author `{author}`"))
                    .help(help),
            );
        } else if !authors.contains(&author.as_str()) {
            authors.push(author);
        }
    }
    let relative = PathBuf::from(format!("content/briefs/{slug}.md"));
    let folder = options.root.join(format!("content/briefs/{slug}"));
    if options.root.join(&relative).exists() || folder.exists() {
        problems.push(
            Diagnostic::error(&relative, "a brief with this slug is already there")
                .help("choose another title, or pass --slug with a slug of its own"),
        );
    }
    if !problems.is_empty() {
        return Err(ScaffoldError::Refused(problems));
    }
    let text = BRIEF_TEMPLATE
        .replace("{title}", &yaml_string(options.title.trim()))
        .replace("{date}", &today())
        .replace("{authors}", &authors.join(", "))
        .replace("{slug}", &slug);
    write_new(&options.root.join(&relative), &text)?;
    Ok(relative)
}

/// Writes `content/authors/<slug>.md` for a person named `name`; returns its path.
pub fn new_author(root: &Path, name: &str, slug: Option<&str>) -> Result<PathBuf, ScaffoldError> {
    require_site(root)?;
    let slug = slug_for(name, slug, "content/authors")?;
    let relative = PathBuf::from(format!("content/authors/{slug}.md"));
    if root.join(&relative).exists() {
        return Err(ScaffoldError::Refused(vec![
            Diagnostic::error(&relative, "an author with this slug is already there")
                .help("pass --slug with a slug of its own, e.g. with a middle initial"),
        ]));
    }
    let text = AUTHOR_TEMPLATE
        .replace("{name_yaml}", &yaml_string(name.trim()))
        .replace("{name}", name.trim());
    write_new(&root.join(&relative), &text)?;
    Ok(relative)
}

/// Creates a site in `dir`, which must be empty or not exist yet: settings, a sample brief with
/// a figure, an author, an About page and a README. The site uses the built-in default theme.
/// Returns the files written, relative to `dir`.
pub fn init_site(dir: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir).map(|mut entries| entries.next().is_none());
        match empty {
            Ok(true) => {}
            Ok(false) => {
                return Err(ScaffoldError::Refused(vec![
                    Diagnostic::error(dir, "this folder is not empty")
                        .help("give `folio init` a new folder, or an empty one"),
                ]));
            }
            Err(_) => {
                return Err(ScaffoldError::Refused(vec![
                    Diagnostic::error(dir, "this is not a folder folio can use")
                        .help("give `folio init` the path of a new folder"),
                ]));
            }
        }
    }
    fsutil::create_dir_all(dir).map_err(ScaffoldError::Write)?;
    let title = site_title(dir);
    let date = today();
    let files: [(&str, String); 7] = [
        (
            "site.toml",
            SITE_TEMPLATE.replace("{title}", &toml_string(&title)),
        ),
        ("README.md", README_TEMPLATE.replace("{title}", &title)),
        (".gitignore", "/public\n".to_string()),
        (
            "content/briefs/first-brief/index.md",
            SAMPLE_BRIEF.replace("{date}", &date),
        ),
        (
            "content/briefs/first-brief/reading-time.svg",
            SAMPLE_CHART.to_string(),
        ),
        ("content/authors/jane-doe.md", SAMPLE_AUTHOR.to_string()),
        (
            "content/pages/about.md",
            SAMPLE_ABOUT.replace("{title}", &title),
        ),
    ];
    let mut written = Vec::with_capacity(files.len());
    for (relative, text) in files {
        write_new(&dir.join(relative), &text)?;
        written.push(PathBuf::from(relative));
    }
    Ok(written)
}

/// Refuses a folder without `site.toml`: `new` writes into a site.
fn require_site(root: &Path) -> Result<(), ScaffoldError> {
    if root.join("site.toml").is_file() {
        return Ok(());
    }
    Err(ScaffoldError::Refused(vec![
        Diagnostic::error(root.join("site.toml"), "there is no site here").help(
            "run this in a site's folder or point --root at one; `folio init DIR` makes a new site",
        ),
    ]))
}

/// The slug given with --slug (checked), else one made from `text`, for a file in `folder`.
fn slug_for(text: &str, given: Option<&str>, folder: &str) -> Result<String, ScaffoldError> {
    match given {
        Some(slug) if is_slug(slug) => Ok(slug.to_string()),
        Some(slug) => Err(ScaffoldError::Refused(vec![
            Diagnostic::error("--slug", format!("`{slug}` is not a valid slug")).help(format!(
                "use only lowercase letters, digits and hyphens, e.g. `--slug {}`",
                slug::slugify(slug)
            )),
        ])),
        None => {
            let slug = slug::slugify(text);
            if slug.is_empty() {
                Err(ScaffoldError::Refused(vec![
                    Diagnostic::error(
                        folder,
                        format!("`{text}` has no letters or digits to make a file name of"),
                    )
                    .help("write it in words, or pass --slug"),
                ]))
            } else {
                Ok(slug)
            }
        }
    }
}

/// The slugs of the files in `content/authors/`, sorted.
fn known_authors(root: &Path) -> Vec<String> {
    let mut authors: Vec<String> = std::fs::read_dir(root.join("content/authors"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let markdown = path.extension().is_some_and(|e| e == "md");
            let name = path.file_stem()?.to_str()?.to_string();
            (markdown && !name.starts_with('.')).then_some(name)
        })
        .collect();
    authors.sort_unstable();
    authors
}

fn authors_hint(known: &[String]) -> String {
    if known.is_empty() {
        "add an author first with `folio new author \"Name\"`, then pass --author with their slug"
            .into()
    } else {
        format!(
            "pass --author with one of: {}; or add one with `folio new author \"Name\"`",
            known.join(", ")
        )
    }
}

/// Creates `path` with `text`, refusing to replace a file that appeared meanwhile.
fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    if let Some(parent) = path.parent() {
        fsutil::create_dir_all(parent).map_err(ScaffoldError::Write)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("could not create {}", path.display()))
        .map_err(ScaffoldError::Write)?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("could not write {}", path.display()))
        .map_err(ScaffoldError::Write)
}

/// Today's date where the author is, as front matter writes it.
fn today() -> String {
    chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// A double-quoted YAML string: JSON's string syntax is valid YAML.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// A basic TOML string.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// A title from the folder's name: `acme-briefs` → "Acme Briefs".
fn site_title(dir: &Path) -> String {
    let name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let words: Vec<String> = name
        .split(['-', '_', ' ', '.'])
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    if words.is_empty() {
        "Our Institute".into()
    } else {
        words.join(" ")
    }
}

const BRIEF_TEMPLATE: &str = r#"---
title: {title}
date: {date}
authors: [{authors}]
# subtitle: "A line under the title"
# summary: "One or two sentences for listings, feeds and the page's description."
# topics: [Energy Transition, Housing]
# type: Policy Brief
draft: true
---

<!-- A draft: `folio serve` shows it, marked as a draft; `folio build` leaves it out until you
     delete `draft: true` above. `folio check` lists what is still missing, such as a summary. -->

Open with the problem and why it matters now, in two or three sentences. Back each claim with a
note, which readers reach from the number and return from with the arrow.[^first-note]

## The evidence

Set out what is known. Every web address you link to, in the text or in a note, is listed under
Sources at the end of the brief with where it is cited, like the
[Office for National Statistics](https://www.ons.gov.uk/).

<!-- A figure: keep the brief in a folder, with the image beside it:
         content/briefs/{slug}/index.md
     An image alone in its paragraph becomes a numbered figure; the text in brackets is its alt
     text, the quoted title its caption, and a paragraph starting "Source:" its credit.

![What the chart shows, for readers who cannot see it](chart.svg "The caption under the figure")

Source: [Who published the data](https://example.org/data), our analysis.
-->

## Recommendations

1. **A first recommendation.** What should be done, by whom and by when.

[^first-note]: Author, [*Title of the report*](https://example.org/report), publisher, year.
"#;

const AUTHOR_TEMPLATE: &str = r#"---
name: {name_yaml}
# role: Senior Fellow, Energy
# affiliation: Our Institute
# email: name@example.org
# photo: /images/portrait.jpg
# links:
#   - {label: Website, url: "https://example.org"}
---

<!-- The biography goes here, in place of this comment: a few sentences on the work and
     background of {name}. Their page shows it, and so does "About the authors" on each of
     their briefs. -->
"#;

const SITE_TEMPLATE: &str = r#"# The site's settings; the README lists them all.
title = {title}
base_url = "https://example.org"  # the address the site will be published at
description = "Policy briefs: evidence, options and recommendations."
language = "en"
theme = "default"                 # folio's built-in theme; see the README to change it
paginate = 10                     # briefs per listing page

[organization]                    # shown in every page's footer
name = {title}
url = "https://example.org"
email = "press@example.org"
about = """
We are an independent research institute. Write a paragraph or two here about who you are and
how your work is funded.
"""

# Groupings of your own besides topics: each becomes a front-matter field of briefs
# (`programmes: [Energy and Climate]`) with a page per term, an index and a feed.
# [taxonomies.programmes]
# name = "Programme"
"#;

const README_TEMPLATE: &str = r#"# {title}

Policy briefs, built into a static website with [folio](https://github.com/).

```sh
folio serve                                     # preview at http://127.0.0.1:1111, drafts included
folio check                                     # list every problem; writes nothing
folio build                                     # the site, into public/
folio new brief "A Title" --author jane-doe     # a new draft brief
folio new author "A Name"                       # a new author
```

## Where things are

```
site.toml                       the site's settings
content/briefs/<slug>.md        a brief ...
content/briefs/<slug>/index.md  ... or a brief with its figures beside it
content/authors/<slug>.md       a person: front matter and biography
content/pages/<slug>.md         a standalone page such as About, at /<slug>/
```

## The theme

This site uses folio's built-in default theme, so there is no theme folder to keep up to date.
To change one template, put a file of the same name in `templates/` here (for example
`templates/brief.html`); to change a stylesheet or add an image, put it in `static/`. For a
theme of your own, create `themes/<name>/templates/` and `themes/<name>/static/` and set
`theme = "<name>"` in `site.toml`.
"#;

const SAMPLE_BRIEF: &str = r#"---
title: "A First Brief: What a Reader Gets"
subtitle: "A sample to read, change and then delete"
date: {date}
authors: [jane-doe]
summary: "A sample brief that shows what folio makes of Markdown: numbered notes linked both ways, a figure with its credit, and every source gathered at the end."
topics: [Getting Started]
type: Policy Brief
---

Readers of a policy brief want the argument first and the evidence one click away. This sample
shows how a brief written in Markdown becomes a page that gives them both.[^markdown] Replace
it with your own work, or delete its folder.

## The argument

Write in short sections under level-2 headings, which make the table of contents, with level-3
headings beneath them. A note is written `[^label]` in the text and defined anywhere below;
folio numbers the notes in the order they are first cited, and a note cited twice links back
to both places.[^markdown]

### Figures

An image alone in its paragraph becomes a numbered figure, with its title as the caption and
the paragraph after it, beginning "Source:", as its credit.

![Bar chart of the minutes a typical reader spends on a brief: 2 on the summary, 6 on the argument and 4 on the evidence](reading-time.svg "Where a reader's twelve minutes go")

Source: [Jane Doe](/authors/jane-doe/), illustrative figures.

## Recommendations

1. **Lead with the finding.** Put the answer in the summary and the first paragraph.
2. **Cite as you go.** Every web address linked in the brief is listed under Sources, with
   where it is cited.[^sources]

[^markdown]: See the [CommonMark specification](https://spec.commonmark.org/) for the Markdown
    that folio reads, with tables, footnotes and smart punctuation added.

[^sources]: Read [About](/about/) for who we are.
"#;

const SAMPLE_CHART: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 240" role="img" aria-labelledby="t">
  <title id="t">Minutes a typical reader spends on a brief</title>
  <style>text { font: 14px sans-serif; fill: #333; } .bar { fill: #2f6f9f; }</style>
  <line x1="40" y1="200" x2="460" y2="200" stroke="#999"/>
  <rect class="bar" x="70" y="160" width="80" height="40"/>
  <rect class="bar" x="200" y="80" width="80" height="120"/>
  <rect class="bar" x="330" y="120" width="80" height="80"/>
  <text x="110" y="150" text-anchor="middle">2</text>
  <text x="240" y="70" text-anchor="middle">6</text>
  <text x="370" y="110" text-anchor="middle">4</text>
  <text x="110" y="222" text-anchor="middle">Summary</text>
  <text x="240" y="222" text-anchor="middle">Argument</text>
  <text x="370" y="222" text-anchor="middle">Evidence</text>
</svg>
"##;

const SAMPLE_AUTHOR: &str = r#"---
name: Jane Doe
role: Senior Fellow
---

Jane Doe is a sample author. Replace this biography with a few sentences about a real person's
work and background, or delete the file once no brief names `jane-doe`.
"#;

const SAMPLE_ABOUT: &str = r#"---
title: About
summary: "Who we are and how our work is funded."
---

{title} publishes short, practical policy briefs. Say here who you are, how you choose your
work, how it is reviewed and who funds it.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_with_quotes_stay_one_yaml_string() {
        let quoted = yaml_string(r#"Why "Net Zero": a \ primer"#);
        let value: serde_yaml::Value = serde_yaml::from_str(&format!("title: {quoted}")).unwrap();
        assert_eq!(
            value["title"].as_str(),
            Some(r#"Why "Net Zero": a \ primer"#)
        );
    }

    #[test]
    fn site_title_comes_from_the_folder_name() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("acme-policy_briefs");
        std::fs::create_dir(&dir).unwrap();
        assert_eq!(site_title(&dir), "Acme Policy Briefs");
    }
}
