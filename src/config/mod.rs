//! site.toml → `Config`: the site's settings, validated, with every path resolved once.

mod taxonomies;

pub use taxonomies::TaxonomySettings;

use crate::diagnostics::{Diagnostic, display_path, suggest};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// The keys `site.toml` may hold at its top level.
const SITE_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "theme",
    "paginate",
    "organization",
    "citation",
    "search",
    "markdown",
    "pdf",
    "taxonomies",
];
/// The keys of its `[organization]` table.
const ORGANIZATION_KEYS: &[&str] = &["name", "url", "email", "phone", "address", "about"];
/// The keys of its `[citation]` table.
const CITATION_KEYS: &[&str] = &["style", "bibliography"];
/// The keys of its `[markdown]` table.
const MARKDOWN_KEYS: &[&str] = &["sanitize", "embed_origins"];
/// The keys of its `[search]` table.
const SEARCH_KEYS: &[&str] = &["enabled"];
/// The keys of its `[pdf]` table.
const PDF_KEYS: &[&str] = &["enabled", "paper"];
/// The folders of a site that folio reads, beside `site.toml`: a change in any of them may
/// change the built site (`serve` watches them; `build` keys its last output by them).
pub const INPUT_FOLDERS: &[&str] = &["content", "themes", "templates", "static", "pdf"];
/// The citation style used when `[citation] style` is not set: think tanks cite in notes.
pub const DEFAULT_CITATION_STYLE: &str = "chicago-notes";

/// The settings of one site, read from its `site.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// The build's time: now, or `SOURCE_DATE_EPOCH` when set (the reproducible-builds
    /// convention), so CI can build tomorrow's site today. Briefs dated after it are scheduled.
    pub build_time: chrono::DateTime<chrono::Utc>,
    /// Absolute URL of the site, without a trailing slash.
    pub base_url: String,
    /// The path part of `base_url` (`""` or `/prefix`), put before every internal URL.
    pub root_path: String,
    pub description: Option<String>,
    pub language: String,
    pub theme: String,
    /// Briefs per listing page.
    pub paginate: usize,
    pub organization: Organization,
    pub citation: CitationSettings,
    pub search: SearchSettings,
    pub markdown: MarkdownSettings,
    pub pdf: PdfSettings,
    /// The site's own taxonomies (`[taxonomies.<key>]`), in the order site.toml declares them.
    pub taxonomies: Vec<TaxonomySettings>,
    /// The site's folder.
    pub root: PathBuf,
}

/// The publisher, shown in every page's footer and in metadata.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Organization {
    pub name: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Markdown paragraphs about the organisation.
    pub about: Option<String>,
}

/// How briefs are cited: `[citation]` in site.toml.
#[derive(Debug, Clone)]
pub struct CitationSettings {
    /// A CSL style bundled with hayagriva, by its name (`chicago-notes`, `apa`, …), or the
    /// path of the site's own `.csl` file followed by a hash of its text (so that what was
    /// formatted with an earlier version of the file is never reused).
    pub style: String,
    /// The site's own style, when `style` names a `.csl` file.
    pub own_style: Option<std::sync::Arc<OwnStyle>>,
    /// Bibliography files every brief may cite from (`.bib` or CSL-JSON `.json`), resolved
    /// from the site's folder.
    pub bibliography: Vec<PathBuf>,
}

/// A CSL style of the site's own, read from its `.csl` file: whole, and (made when first
/// needed, by the citation formatter) as "Cite this brief" formats with it.
#[derive(Debug)]
pub struct OwnStyle {
    pub whole: hayagriva::citationberg::IndependentStyle,
    pub reference_list: std::sync::OnceLock<hayagriva::citationberg::IndependentStyle>,
    /// Its title, as "Cite this brief" names it.
    pub title: String,
    /// Its file, which the preview watches.
    pub path: PathBuf,
}

/// The search page and its index: `[search]` in site.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SearchSettings {
    /// Whether `folio build` writes the search index and page (on by default; off makes a
    /// build without the index, for tests and benchmarks).
    pub enabled: bool,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings { enabled: true }
    }
}

/// The typeset PDF edition of every brief: `[pdf]` in site.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PdfSettings {
    /// Whether `folio build` typesets a PDF of each brief that names none of its own.
    pub enabled: bool,
    /// The paper size: `a4` (the default) or `us-letter`.
    pub paper: Paper,
}

impl Default for PdfSettings {
    fn default() -> Self {
        PdfSettings {
            enabled: true,
            paper: Paper::A4,
        }
    }
}

/// A paper size the PDF template is given, by the name Typst knows it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Paper {
    #[serde(rename = "a4")]
    A4,
    #[serde(rename = "us-letter", alias = "letter")]
    UsLetter,
}

impl Paper {
    /// The name Typst's `page(paper:)` takes.
    pub fn typst_name(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::UsLetter => "us-letter",
        }
    }
}

/// How Markdown is turned into HTML: `[markdown]` in site.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MarkdownSettings {
    /// Clean every rendered body and note with ammonia: no script, event handlers,
    /// `javascript:` URLs, SVG, MathML or frames from other origins reach a page. Off by
    /// default, as authors embed charts in raw HTML.
    pub sanitize: bool,
    /// With `sanitize`, the origins (`https://host`) whose pages may be embedded in an
    /// `<iframe>`; frames from anywhere else lose their address.
    pub embed_origins: Vec<String>,
}

#[derive(Deserialize, Default)]
struct RawCitation {
    style: Option<String>,
    bibliography: Option<OneOrMany>,
}

#[derive(Deserialize)]
struct RawConfig {
    title: String,
    base_url: String,
    description: Option<String>,
    language: Option<String>,
    theme: Option<String>,
    paginate: Option<usize>,
    #[serde(default)]
    organization: Organization,
    #[serde(default)]
    citation: RawCitation,
    #[serde(default)]
    search: SearchSettings,
    #[serde(default)]
    pdf: PdfSettings,
    #[serde(default)]
    markdown: MarkdownSettings,
}

impl Config {
    pub fn content_dir(&self) -> PathBuf {
        self.root.join("content")
    }

    pub fn settings_path(&self) -> PathBuf {
        self.root.join("site.toml")
    }

    /// Replaces `base_url` (from `--base-url`), re-deriving the root path.
    pub fn set_base_url(&mut self, base_url: &str) -> Result<(), String> {
        let (base, root) = parse_base_url(base_url)?;
        self.base_url = base;
        self.root_path = root;
        Ok(())
    }

    /// An internal URL (`/briefs/x/`) with the site's root path before it.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.root_path, path)
    }

    /// The absolute form of an internal path.
    pub fn absolute_url(&self, path: &str) -> String {
        let origin_len = self.base_url.len() - self.root_path.len();
        format!("{}{}", &self.base_url[..origin_len], path)
    }
}

/// Reads and validates `root/site.toml`; every problem found is returned at once.
pub fn load_config(root: &Path) -> Result<Config, Vec<Diagnostic>> {
    let path = root.join("site.toml");
    let shown = display_path(root, &path);
    let text = match std::fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                return Err(vec![
                    Diagnostic::error(shown, "site.toml is not valid UTF-8")
                        .help("save the file as UTF-8"),
                ]);
            }
        },
        Err(err) => {
            return Err(vec![
                Diagnostic::error(shown, format!("could not read site.toml: {err}"))
                    .help("run folio in a site's folder, or point --root at one"),
            ]);
        }
    };
    parse_config(root, &shown, &text)
}

fn parse_config(root: &Path, shown: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
    let table = DeTable::parse(text).map_err(|err| vec![toml_error(shown, text, &err)])?;
    let mut problems = unknown_keys(shown, text, table.get_ref(), SITE_KEYS, "");
    for (name, known) in [
        ("organization", ORGANIZATION_KEYS),
        ("citation", CITATION_KEYS),
        ("search", SEARCH_KEYS),
        ("markdown", MARKDOWN_KEYS),
        ("pdf", PDF_KEYS),
    ] {
        if let Some(DeValue::Table(inner)) = table.get_ref().get(name).map(|v| v.get_ref()) {
            problems.extend(unknown_keys(shown, text, inner, known, &format!("{name}.")));
        }
    }
    let taxonomies =
        taxonomies::taxonomy_settings(shown, text, table.get_ref()).unwrap_or_else(|errors| {
            problems.extend(errors);
            Vec::new()
        });
    if !problems.is_empty() {
        return Err(problems);
    }
    let raw: RawConfig = toml::from_str(text).map_err(|err| vec![toml_error(shown, text, &err)])?;
    let (base_url, root_path) = parse_base_url(&raw.base_url).map_err(|why| {
        let offset = text.find("base_url").unwrap_or(0);
        vec![
            Diagnostic::error(shown, format!("`base_url` is not usable: {why}"))
                .at_offset(text, offset)
                .help("write the site's absolute address, e.g. base_url = \"https://briefs.example.org\""),
        ]
    })?;
    let citation = citation_settings(root, shown, text, raw.citation)?;
    if let Some(theme) = &raw.theme {
        check_theme(root, shown, text, theme)?;
    }
    Ok(Config {
        build_time: build_time()?,
        title: raw.title,
        base_url,
        root_path,
        description: raw.description,
        language: raw.language.unwrap_or_else(|| "en".into()),
        theme: raw.theme.unwrap_or_else(|| "default".into()),
        paginate: raw.paginate.unwrap_or(10).max(1),
        organization: raw.organization,
        citation,
        search: raw.search,
        markdown: raw.markdown,
        pdf: raw.pdf,
        taxonomies,
        root: root.to_path_buf(),
    })
}

/// One file name or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Checks `[citation] style` against the CSL styles hayagriva bundles, and that each
/// `[citation] bibliography` file exists and is BibLaTeX or CSL-JSON by its name.
fn citation_settings(
    root: &Path,
    shown: &Path,
    text: &str,
    raw: RawCitation,
) -> Result<CitationSettings, Vec<Diagnostic>> {
    let style = raw
        .style
        .unwrap_or_else(|| DEFAULT_CITATION_STYLE.to_string());
    let names = match raw.bibliography {
        None => Vec::new(),
        Some(OneOrMany::One(name)) => vec![name],
        Some(OneOrMany::Many(names)) => names,
    };
    let mut problems = Vec::new();
    let mut bibliography = Vec::new();
    for name in names {
        let path = root.join(&name);
        let offset = text
            .find(&format!("\"{name}\""))
            .or_else(|| text.find("bibliography"))
            .unwrap_or(0);
        let known_kind = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("bib") || e.eq_ignore_ascii_case("json"));
        let problem = if !path.is_file() {
            Some((
                format!("the bibliography `{name}` does not exist"),
                "name a file relative to the site's folder, e.g. bibliography = \"references.bib\"",
            ))
        } else if !known_kind {
            Some((
                format!("the bibliography `{name}` is neither a `.bib` nor a `.json` file"),
                "export the references as BibLaTeX (`.bib`) or CSL-JSON (`.json`)",
            ))
        } else {
            None
        };
        match problem {
            Some((message, help)) => problems.push(
                Diagnostic::error(shown, message)
                    .at_offset(text, offset)
                    .width(name.chars().count() + 2)
                    .help(help),
            ),
            None => bibliography.push(path),
        }
    }
    if style.to_ascii_lowercase().ends_with(".csl") {
        let place = text.find(&format!("\"{style}\"")).unwrap_or(0);
        return match read_own_style(root, &style) {
            Ok((own, hash)) if problems.is_empty() => Ok(CitationSettings {
                style: format!("{style} ({hash:016x})"),
                own_style: Some(std::sync::Arc::new(own)),
                bibliography,
            }),
            Ok(_) => Err(problems),
            Err((message, help)) => {
                problems.insert(
                    0,
                    Diagnostic::error(shown, message)
                        .at_offset(text, place)
                        .width(style.chars().count() + 2)
                        .help(help),
                );
                Err(problems)
            }
        };
    }
    if hayagriva::archive::ArchivedStyle::by_name(&style).is_some() {
        if !problems.is_empty() {
            return Err(problems);
        }
        return Ok(CitationSettings {
            style,
            own_style: None,
            bibliography,
        });
    }
    let names = hayagriva::archive::ArchivedStyle::all()
        .iter()
        .flat_map(|s| s.names().iter().copied());
    let help = match suggest(&style, names) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "use a CSL style bundled with folio, such as `chicago-notes`, \
                 `chicago-author-date`, `apa`, `harvard-cite-them-right` or `modern-language-association`"
            .to_string(),
    };
    let offset = text
        .find(&format!("\"{style}\""))
        .or_else(|| text.find("style"))
        .unwrap_or(0);
    problems.insert(
        0,
        Diagnostic::error(shown, format!("unknown citation style `{style}`"))
            .at_offset(text, offset)
            .width(style.chars().count() + 2)
            .help(help),
    );
    Err(problems)
}

/// The build's time: `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) when set, else now.
fn build_time() -> Result<chrono::DateTime<chrono::Utc>, Vec<Diagnostic>> {
    let Some(epoch) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(chrono::Utc::now());
    };
    let text = epoch.to_string_lossy();
    text.trim()
        .parse::<i64>()
        .ok()
        .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
        .ok_or_else(|| {
            vec![
                Diagnostic::error(
                    "SOURCE_DATE_EPOCH",
                    format!("`{text}` is not a time in seconds since 1970"),
                )
                .help("set it to a whole number of seconds, e.g. `SOURCE_DATE_EPOCH=1767225600`, or unset it"),
            ]
        })
}

/// Reads the site's own CSL style (relative to the site's folder), with a hash of its text; or
/// why it cannot be used, and how to fix that.
fn read_own_style(root: &Path, name: &str) -> Result<(OwnStyle, u64), (String, String)> {
    use hayagriva::citationberg::Style;
    let path = root.join(name);
    let text = std::fs::read_to_string(&path).map_err(|err| {
        (
            format!("the citation style file `{name}` could not be read ({err})"),
            "name a .csl file relative to the site's folder, e.g. style = \"styles/institute.csl\""
                .to_string(),
        )
    })?;
    let style = match Style::from_xml(&text) {
        Ok(Style::Independent(style)) => style,
        Ok(Style::Dependent(_)) => {
            return Err((
                format!("`{name}` is a dependent CSL style, which only names another style"),
                "use the independent style it names as its parent, or a bundled style's name"
                    .to_string(),
            ));
        }
        Err(err) => {
            return Err((
                format!("`{name}` is not a valid CSL style: {err}"),
                "check the file against the CSL 1.0.2 schema (the Zotero style editor validates it)"
                    .to_string(),
            ));
        }
    };
    let title = style.info.title.value.clone();
    let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    Ok((
        OwnStyle {
            whole: style,
            reference_list: std::sync::OnceLock::new(),
            title,
            path,
        },
        hash,
    ))
}

/// A `theme` other than the built-in default must be a folder in `themes/`: an error at the
/// `theme` line of site.toml.
fn check_theme(root: &Path, shown: &Path, text: &str, theme: &str) -> Result<(), Vec<Diagnostic>> {
    let dir = root.join("themes").join(theme);
    let plain = !theme.is_empty() && !theme.contains(['/', '\\']) && theme != "." && theme != "..";
    if theme == "default" || (plain && dir.is_dir()) {
        return Ok(());
    }
    let offset = text
        .find(&format!("\"{theme}\""))
        .or_else(|| text.find("theme"))
        .unwrap_or(0);
    Err(vec![
        Diagnostic::error(shown, format!("the theme `{theme}` is not in themes/"))
            .at_offset(text, offset)
            .width(theme.chars().count() + 2)
            .help(format!(
                "create themes/{theme}/ with templates/ and static/, or set theme = \"default\" \
                 (the built-in theme)"
            )),
    ])
}

/// Splits a base URL into its normalised form and its path prefix. Only a plain address is a
/// base URL: a space, a user name or password (which every page would publish), a query or a
/// fragment is refused here, before it can break the site's links.
fn parse_base_url(raw: &str) -> Result<(String, String), String> {
    if raw.chars().any(char::is_whitespace) {
        return Err(format!("`{raw}` contains a space"));
    }
    let url = url::Url::parse(raw).map_err(|err| format!("`{raw}` is not a URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("`{raw}` is not an http or https address"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "it holds a user name or password, which every page would publish; keep \
             credentials out of site.toml"
                .to_string(),
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "`{raw}` has a query (`?…`) or fragment (`#…`), which cannot begin the site's links"
        ));
    }
    let base = url.as_str().trim_end_matches('/').to_string();
    let root = url.path().trim_end_matches('/').to_string();
    Ok((base, root))
}

fn unknown_keys(
    shown: &Path,
    text: &str,
    table: &DeTable<'_>,
    known: &[&str],
    prefix: &str,
) -> Vec<Diagnostic> {
    table
        .keys()
        .filter(|key| !known.contains(&key.get_ref().as_ref()))
        .map(|key| {
            let name = key.get_ref();
            let mut diagnostic =
                Diagnostic::error(shown, format!("unknown setting `{prefix}{name}`"))
                    .at_offset(text, key.span().start)
                    .width(name.chars().count());
            diagnostic = match suggest(name, known.iter().copied()) {
                Some(near) => diagnostic.help(format!("did you mean `{prefix}{near}`?")),
                None => diagnostic.help(format!(
                    "the settings here are: {}",
                    known
                        .iter()
                        .map(|k| format!("`{prefix}{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            diagnostic
        })
        .collect()
}

fn toml_error(shown: &Path, text: &str, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim().to_string();
    let diagnostic = Diagnostic::error(shown, format!("site.toml: {message}"))
        .help("see the README's `site.toml` section for the settings and their types");
    match err.span() {
        Some(span) => diagnostic
            .at_offset(text, span.start)
            .width(text[span].chars().count().clamp(1, 40)),
        None => diagnostic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        parse_config(Path::new("/site"), Path::new("site.toml"), text)
    }

    #[test]
    fn base_url_path_becomes_the_root_path() {
        let config = parse("title = \"T\"\nbase_url = \"https://x.org/think/\"\n").unwrap();
        assert_eq!(config.base_url, "https://x.org/think");
        assert_eq!(config.root_path, "/think");
        assert_eq!(config.url("/briefs/a/"), "/think/briefs/a/");
        assert_eq!(config.absolute_url("/think/x/"), "https://x.org/think/x/");
    }

    #[test]
    fn unknown_keys_are_placed_and_suggested() {
        let text = "title = \"T\"\nbase_url = \"https://x.org\"\n[organization]\nnmae = \"I\"\n";
        let errors = parse(text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].line, errors[0].column), (4, 1));
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `organization.name`?")
        );
    }

    #[test]
    fn citation_style_defaults_to_chicago_notes_and_typos_are_suggested() {
        let base = "title = \"T\"\nbase_url = \"https://x.org\"\n";
        assert_eq!(parse(base).unwrap().citation.style, "chicago-notes");
        let apa = format!("{base}[citation]\nstyle = \"apa\"\n");
        assert_eq!(parse(&apa).unwrap().citation.style, "apa");
        let typo = format!("{base}[citation]\nstyle = \"chicago-note\"\n");
        let errors = parse(&typo).unwrap_err();
        assert_eq!(errors[0].line, 4);
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `chicago-notes`?")
        );
        let key = format!("{base}[citation]\nstyel = \"apa\"\n");
        let errors = parse(&key).unwrap_err();
        assert_eq!(
            errors[0].help.as_deref(),
            Some("did you mean `citation.style`?")
        );
    }

    #[test]
    fn citation_bibliography_files_must_exist_and_typos_are_suggested() {
        let base = "title = \"T\"\nbase_url = \"https://x.org\"\n[citation]\n";
        let typo = format!("{base}bibliograpy = \"refs.bib\"\n");
        assert_eq!(
            parse(&typo).unwrap_err()[0].help.as_deref(),
            Some("did you mean `citation.bibliography`?")
        );
        let missing = format!("{base}bibliography = [\"refs.bib\"]\n");
        let errors = parse(&missing).unwrap_err();
        assert!(errors[0].message.contains("`refs.bib` does not exist"));
        assert_eq!((errors[0].line, errors[0].column), (4, 17));
    }

    #[test]
    fn wrong_types_and_missing_keys_are_errors_with_lines() {
        let errors = parse("title = 3\nbase_url = \"https://x.org\"\n").unwrap_err();
        assert_eq!(errors[0].line, 1);
        let errors = parse("base_url = \"https://x.org\"\n").unwrap_err();
        assert!(errors[0].message.contains("title"), "{}", errors[0].message);
        let errors = parse("title = \"T\"\nbase_url = \"example\"\n").unwrap_err();
        assert_eq!(errors[0].line, 2);
    }
}
