//! The theme: Tera templates and static files, from `themes/<name>/` or, for the default theme,
//! from the copy embedded in the binary; a site's `templates/` and `static/` override them.

use crate::cache::Key;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, display_path};
use crate::fsutil::{link_leaves_site, link_outside_error};
use include_dir::{Dir, include_dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tera::Tera;
use walkdir::WalkDir;

/// The default theme, built into the binary so `folio init` and sites without `themes/` work.
static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// The templates every theme must have: one per kind of page folio writes.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "index.html",
    "brief.html",
    "authors.html",
    "author.html",
    "topics.html",
    "topic.html",
    "page.html",
    "sources.html",
    "source_domain.html",
    "search.html",
    "404.html",
];
/// The templates a theme must have when the site declares taxonomies.
pub const TAXONOMY_TEMPLATES: &[&str] = &["taxonomy.html", "term.html"];

/// A static file to copy to the output, from disk or from the embedded theme.
#[derive(Debug, Clone)]
pub enum StaticFile {
    Disk(PathBuf),
    Embedded(&'static [u8]),
    /// A stylesheet or script, minified when the theme is loaded (comments and spaces are
    /// about a quarter of the default theme's CSS and JavaScript, which every reader loads).
    Minified(Vec<u8>),
}

pub struct Theme {
    pub tera: Tera,
    /// A hash of every template's name and text.
    pub fingerprint: Key,
    /// What every page of a build shares (templates, the site's view): set by `prepare_theme`.
    pub shared: Key,
    /// Output path (relative to the output root) → file.
    pub statics: BTreeMap<PathBuf, StaticFile>,
    /// Files refused without stopping the load (symbolic links that leave the site): errors
    /// reported with the content's, so one run shows them all.
    pub refused: Vec<Diagnostic>,
}

/// Loads the site's theme and overrides; template syntax errors name their file.
pub fn load_theme(config: &Config) -> Result<Theme, Vec<Diagnostic>> {
    let theme_dir = config.root.join("themes").join(&config.theme);
    let mut templates: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
    let mut theme_statics = Vec::new();
    let mut problems = Vec::new();
    let mut refused = Vec::new();
    if theme_dir.is_dir() {
        read_dir_into(
            config,
            &theme_dir,
            (&mut templates, &mut theme_statics),
            (&mut problems, &mut refused),
            true,
        );
    } else if config.theme == "default" {
        read_embedded(&mut templates, &mut theme_statics);
    } else {
        return Err(vec![
            Diagnostic::error(
                "site.toml",
                format!("the theme `{}` is not in themes/", config.theme),
            )
            .help(format!(
                "create themes/{}/ with templates/ and static/, or set theme = \"default\"",
                config.theme
            )),
        ]);
    }
    // A site's own static files are its own business: copied as they are.
    let mut site_statics = Vec::new();
    read_dir_into(
        config,
        &config.root,
        (&mut templates, &mut site_statics),
        (&mut problems, &mut refused),
        false,
    );
    let statics = over(site_statics, theme_statics);
    let taxonomies = if config.taxonomies.is_empty() {
        &[][..]
    } else {
        TAXONOMY_TEMPLATES
    };
    for name in REQUIRED_TEMPLATES.iter().chain(taxonomies) {
        if !templates.contains_key(*name) {
            problems.push(
                Diagnostic::error(
                    display_path(&config.root, &theme_dir.join("templates")),
                    format!("the theme has no template `{name}`"),
                )
                .help("add it to the theme's templates/ or the site's templates/"),
            );
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut tera = Tera::new();
    let sources: Vec<(String, String)> = templates
        .iter()
        .map(|(name, (text, _))| (name.clone(), text.clone()))
        .collect();
    let fingerprint = Key::of_each("templates", sources.iter());
    if let Err(err) = tera.add_raw_templates(sources) {
        return Err(vec![template_error(&err, &templates)]);
    }
    Ok(Theme {
        tera,
        fingerprint,
        shared: fingerprint,
        statics,
        refused,
    })
}

/// The site's static files (`site`, as a walk finds them: each once, in order) and the
/// theme's where the site has none. The site's are made a map at once: inserted one by one,
/// each compared its path with ~15 others component by component, a third of `folio check`'s
/// time on a site with 20,000 static files.
fn over(
    site: Vec<(PathBuf, StaticFile)>,
    theme: Vec<(PathBuf, StaticFile)>,
) -> BTreeMap<PathBuf, StaticFile> {
    let mut statics: BTreeMap<PathBuf, StaticFile> = site.into_iter().collect();
    for (path, file) in theme {
        statics.entry(path).or_insert(file);
    }
    statics
}

/// Reads `dir/templates/**` and `dir/static/**` (a theme's or the site's own); a theme's
/// stylesheets and scripts are minified (`minify`).
type Found<'a> = (
    &'a mut BTreeMap<String, (String, PathBuf)>,
    &'a mut Vec<(PathBuf, StaticFile)>,
);

/// Where problems go: those that stop the load, and files refused (`Theme::refused`).
type Problems<'a> = (&'a mut Vec<Diagnostic>, &'a mut Vec<Diagnostic>);

fn read_dir_into(
    config: &Config,
    dir: &Path,
    (templates, statics): Found<'_>,
    (problems, refused): Problems<'_>,
    minify_assets: bool,
) {
    for (relative, path) in files_under(&dir.join("templates"), (problems, refused), config) {
        let shown = display_path(&config.root, &path);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let name = relative.to_string_lossy().replace('\\', "/");
                templates.insert(name, (text, shown));
            }
            Err(err) => problems.push(
                Diagnostic::error(shown, format!("could not read the template: {err}"))
                    .help("templates must be readable UTF-8 text"),
            ),
        }
    }
    for (relative, path) in files_under(&dir.join("static"), (problems, refused), config) {
        let text = (minify_assets && minifiable(&relative))
            .then(|| std::fs::read_to_string(&path).ok())
            .flatten();
        let file = match text {
            Some(text) => StaticFile::Minified(minify(&relative, &text)),
            None => StaticFile::Disk(path),
        };
        statics.push((relative, file));
    }
}

fn files_under(
    dir: &Path,
    (problems, refused): Problems<'_>,
    config: &Config,
) -> Vec<(PathBuf, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut files = Vec::new();
    let mut outside = Vec::new();
    let walker = WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let leaves = link_leaves_site(&config.root, e);
            if leaves {
                outside.push(e.path().to_path_buf());
            }
            !leaves
        });
    for item in walker {
        match item {
            Ok(item) if item.file_type().is_file() => {
                let path = item.into_path();
                let relative = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
                files.push((relative, path));
            }
            Ok(_) => {}
            Err(err) => problems.push(
                Diagnostic::error(
                    display_path(&config.root, err.path().unwrap_or(dir)),
                    format!("could not read this file: {err}"),
                )
                .help("check that it exists and that you may read it"),
            ),
        }
    }
    refused.extend(outside.iter().map(|l| link_outside_error(&config.root, l)));
    files
}

fn read_embedded(
    templates: &mut BTreeMap<String, (String, PathBuf)>,
    statics: &mut Vec<(PathBuf, StaticFile)>,
) {
    let mut stack: Vec<&Dir<'static>> = vec![&DEFAULT_THEME];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for file in dir.files() {
            let path = file.path();
            if let Ok(relative) = path.strip_prefix("templates") {
                let name = relative.to_string_lossy().replace('\\', "/");
                let text = String::from_utf8_lossy(file.contents()).into_owned();
                templates.insert(name, (text, Path::new("(built-in theme)").join(path)));
            } else if let Ok(relative) = path.strip_prefix("static") {
                let contents = match file.contents_utf8() {
                    Some(text) if minifiable(relative) => {
                        StaticFile::Minified(minify(relative, text))
                    }
                    _ => StaticFile::Embedded(file.contents()),
                };
                statics.push((relative.to_path_buf(), contents));
            }
        }
    }
}

/// The files of the built-in theme under `folder` (such as `pdf`), by their path within it.
pub fn embedded_files(folder: &str) -> Vec<(String, &'static [u8])> {
    let mut files = Vec::new();
    let mut stack: Vec<&Dir<'static>> = vec![&DEFAULT_THEME];
    while let Some(dir) = stack.pop() {
        stack.extend(dir.dirs());
        for file in dir.files() {
            if let Ok(relative) = file.path().strip_prefix(folder) {
                let name = relative.to_string_lossy().replace('\\', "/");
                files.push((name, file.contents()));
            }
        }
    }
    files
}

fn minifiable(path: &Path) -> bool {
    let name = path.to_string_lossy();
    (name.ends_with(".css") || name.ends_with(".js")) && !name.ends_with(".min.js")
}

/// A stylesheet or script without comments and spaces; a script as written when the minifier
/// cannot read it.
fn minify(path: &Path, text: &str) -> Vec<u8> {
    if path.extension().is_some_and(|e| e == "css") {
        return compact_css(text).into_bytes();
    }
    minifier::js::minify(text)
        .map(|m| m.to_string())
        .unwrap_or_else(|_| text.to_string())
        .into_bytes()
}

/// Drops a stylesheet's comments and the spaces no rule needs: runs of white space become one
/// space, and none is kept beside `{`, `}`, `;` or after `:` and `,`; strings are kept as they
/// are. Written here because the minifier crate's CSS mode joins `1rem + 2vw` inside `calc()`
/// and `clamp()` into `1rem+2vw`, which browsers reject.
fn compact_css(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                pending_space = true;
            }
            '"' | '\'' => {
                if std::mem::take(&mut pending_space) {
                    out.push(' ');
                }
                out.push(c);
                let mut escaped = false;
                for s in chars.by_ref() {
                    out.push(s);
                    if s == c && !escaped {
                        break;
                    }
                    escaped = s == '\\' && !escaped;
                }
            }
            c if c.is_whitespace() => pending_space = true,
            '{' | '}' | ';' | ',' | ':' => {
                // A space before `:` can be a selector's (`.a :focus`); before the others none.
                if c == ':' && pending_space && !out.ends_with(['{', '}', ';', ',']) {
                    out.push(' ');
                }
                pending_space = false;
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                out.push(c);
                // Whatever follows these needs no space (`a, b`, `color: red`, `{ x`).
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
            }
            c => {
                if std::mem::take(&mut pending_space)
                    && !out.is_empty()
                    && !out.ends_with(['{', '}', ';', ',', ':'])
                {
                    out.push(' ');
                }
                out.push(c);
            }
        }
    }
    out
}

/// A Tera error as a diagnostic placed in the template's own file. Tera reports
/// `error: <what>` and ` --> <name>:<line>:<column>`; we keep the what and the place.
/// The template, line and column a Tera error report names (its `--> name:line:column` line).
pub(crate) fn template_place(report: &str) -> Option<(String, usize, usize)> {
    report.lines().find_map(|line| {
        let location = line.trim().strip_prefix("--> ")?;
        let mut parts = location.rsplitn(3, ':');
        let column = parts.next()?.parse::<usize>().ok()?;
        let line = parts.next()?.parse::<usize>().ok()?;
        Some((parts.next()?.to_string(), line, column))
    })
}

fn template_error(
    err: &tera::Error,
    templates: &BTreeMap<String, (String, PathBuf)>,
) -> Diagnostic {
    let report = err.to_string();
    let what = report
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_string();
    let place = template_place(&report);
    let help = "fix the template's Tera syntax (docs/THEME.md lists what each template receives)";
    match place.and_then(|(name, line, column)| templates.get(&name).map(|t| (t, line, column))) {
        Some(((text, shown), line, column)) => {
            Diagnostic::error(shown, format!("template error: {what}"))
                .at(text, line, column)
                .help(help)
        }
        None => Diagnostic::error("templates", format!("template error: {report}")).help(help),
    }
}

#[cfg(test)]
mod tests {
    use super::compact_css;

    #[test]
    fn compacted_css_keeps_what_browsers_need() {
        let css = "/* tokens */\n.a :focus, .b > c {\n  width: clamp(1rem, 1.4rem + 2.4vw, 3rem);\n  content: \" (\" attr(href) \")\";\n}\n@media (min-width: 48rem) { .x { margin: 0 auto; } }\n";
        assert_eq!(
            compact_css(css),
            ".a :focus,.b > c{width:clamp(1rem,1.4rem + 2.4vw,3rem);content:\" (\" attr(href) \")\"}@media (min-width:48rem){.x{margin:0 auto}}"
        );
    }
}
