//! Code highlighting with syntect, as a few CSS classes: the syntax set is loaded once, on first
//! use, so a site without code never pays for it.
//!
//! syntect's own classed HTML wraps every token in one span per scope (a 1.5 KB Python snippet
//! became 21 KB of markup) and its theme stylesheets run to 19 KB. Briefs need far less: each
//! token is sorted into one of a handful of kinds (comment, string, keyword…) by a syntect theme
//! whose "colours" are kind numbers, and only tokens of a kind get a span, `hl-<kind>`.

use super::escape;
use std::str::FromStr;
use std::sync::OnceLock;
use syntect::easy::HighlightLines;
use syntect::highlighting::{
    Color, ScopeSelectors, StyleModifier, Theme, ThemeItem, ThemeSettings,
};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The kinds of token that get a colour: class name, the scopes that make it, and its colour
/// on the light and on the dark code background.
const KINDS: &[(&str, &str, &str, &str)] = &[
    (
        "comment",
        "comment, punctuation.definition.comment",
        "#5e5c55",
        "#a3abaf",
    ),
    (
        "string",
        "string, constant.character.escape",
        "#1b6630",
        "#9fd49b",
    ),
    (
        "constant",
        "constant.numeric, constant.language, constant.character, constant.other, support.constant",
        "#0b5a87",
        "#8fcaf0",
    ),
    (
        "keyword",
        "keyword, storage.modifier, storage.type.function, variable.language",
        "#a0174a",
        "#f4a4c4",
    ),
    (
        "type",
        "entity.name.type, entity.name.class, entity.other.inherited-class, support.type, support.class, storage.type",
        "#8a4600",
        "#f0c27b",
    ),
    (
        "function",
        "entity.name.function, support.function, variable.function, support.macro, entity.name.macro",
        "#6a3a9e",
        "#cdb6f5",
    ),
    (
        "tag",
        "entity.name.tag, markup.heading",
        "#1d6b3a",
        "#a8d9a0",
    ),
    (
        "attribute",
        "entity.other.attribute-name, variable.parameter",
        "#7a4400",
        "#eec58d",
    ),
];

/// The backgrounds code is shown on (the default theme's `--code-bg`, light and dark).
#[cfg(test)]
const BACKGROUNDS: [[u8; 3]; 2] = [[0xf3, 0xf1, 0xec], [0x1a, 0x1e, 0x21]];

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A syntect theme that "colours" each token with its kind's number (0: no kind).
fn kinds_theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| Theme {
        settings: ThemeSettings {
            foreground: Some(kind_colour(0)),
            ..ThemeSettings::default()
        },
        scopes: KINDS
            .iter()
            .enumerate()
            .map(|(i, (_, scopes, _, _))| ThemeItem {
                scope: ScopeSelectors::from_str(scopes).expect("the scope selectors are valid"),
                style: StyleModifier {
                    foreground: Some(kind_colour(i + 1)),
                    background: None,
                    font_style: None,
                },
            })
            .collect(),
        ..Theme::default()
    })
}

fn kind_colour(kind: usize) -> Color {
    Color {
        r: kind as u8,
        g: 0,
        b: 0,
        a: 0xff,
    }
}

/// A code block as HTML; code in a language syntect does not know, or none, is only escaped.
pub fn highlight(code: &str, language: &str) -> String {
    let body = if language.is_empty() {
        escape(code)
    } else {
        classed(code, language).unwrap_or_else(|| escape(code))
    };
    let lang = if language.is_empty() {
        String::new()
    } else {
        format!(r#" data-lang="{}""#, escape(language))
    };
    // Focusable, so that a block wider than the page scrolls from the keyboard too (WCAG 2.1.1).
    format!("<pre class=\"code\"{lang} tabindex=\"0\"><code>{body}</code></pre>\n")
}

fn classed(code: &str, language: &str) -> Option<String> {
    let syntaxes = syntaxes();
    let syntax = syntaxes.find_syntax_by_token(language)?;
    let mut lines = HighlightLines::new(syntax, kinds_theme());
    let mut html = String::with_capacity(code.len() * 2);
    // Runs of text of one kind, merged across tokens so each run gets one span.
    let mut run = String::new();
    let mut run_kind = 0usize;
    let flush = |html: &mut String, run: &mut String, kind: usize| {
        if run.is_empty() {
            return;
        }
        match KINDS.get(kind.wrapping_sub(1)) {
            Some((class, ..)) if !run.trim().is_empty() => {
                html.push_str(&format!(
                    r#"<span class="hl-{class}">{}</span>"#,
                    escape(run)
                ));
            }
            _ => html.push_str(&escape(run)),
        }
        run.clear();
    };
    for line in LinesWithEndings::from(code) {
        for (style, text) in lines.highlight_line(line, syntaxes).ok()? {
            let kind = usize::from(style.foreground.r);
            // A kind's span ends at the line's end, so no span crosses a line.
            for (i, piece) in text.split_inclusive('\n').enumerate() {
                if kind != run_kind || i > 0 {
                    flush(&mut html, &mut run, run_kind);
                    run_kind = kind;
                }
                match piece.strip_suffix('\n') {
                    Some(content) => {
                        run.push_str(content);
                        flush(&mut html, &mut run, run_kind);
                        html.push('\n');
                    }
                    None => run.push_str(piece),
                }
            }
        }
    }
    flush(&mut html, &mut run, run_kind);
    Some(html)
}

/// The stylesheet for highlighted code: one colour per kind, for light and for dark mode.
pub fn stylesheet() -> String {
    let rules = |dark: bool| {
        KINDS
            .iter()
            .map(|(class, _, light_colour, dark_colour)| {
                let colour = if dark { dark_colour } else { light_colour };
                let italic = if *class == "comment" {
                    "; font-style: italic"
                } else {
                    ""
                };
                format!(".hl-{class} {{ color: {colour}{italic}; }}\n")
            })
            .collect::<String>()
    };
    format!(
        "/* Code colours, made by folio (each reads at 4.5:1 or more on the code background). */\n{}@media (prefers-color-scheme: dark) {{\n{}}}\n@media print {{ [class^=\"hl-\"] {{ color: #000; }} }}\n",
        rules(false),
        rules(true)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
        let luminance = |colour: [u8; 3]| {
            let [r, g, b] = colour.map(|c| {
                let c = f64::from(c) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            });
            0.2126 * r + 0.7152 * g + 0.0722 * b
        };
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    fn hex(colour: &str) -> [u8; 3] {
        let channel = |i: usize| u8::from_str_radix(&colour[i..i + 2], 16).unwrap();
        [channel(1), channel(3), channel(5)]
    }

    #[test]
    fn every_code_colour_reads_against_its_background() {
        for (class, _, light, dark) in KINDS {
            for (colour, background) in [(light, BACKGROUNDS[0]), (dark, BACKGROUNDS[1])] {
                let ratio = contrast(hex(colour), background);
                assert!(ratio >= 4.5, "{class} {colour}: {ratio:.2}");
            }
        }
    }

    #[test]
    fn tokens_get_one_span_per_run_of_a_kind_and_the_text_is_kept() {
        let code = "# a comment\nfn main() {\n    let s = \"<hi>\"; // done\n}\n";
        let html = highlight(code, "rust");
        assert!(
            html.contains(r#"<span class="hl-keyword">fn</span>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<span class="hl-string">&quot;&lt;hi&gt;&quot;</span>"#)
                || html.contains(r#"<span class="hl-string">"&lt;hi&gt;"</span>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<span class="hl-comment">// done</span>"#),
            "{html}"
        );
        let text = html
            .split('<')
            .filter_map(|part| part.split_once('>').map(|(_, text)| text))
            .collect::<String>();
        assert!(text.contains("fn main() {"));
        assert_eq!(html.matches('\n').count(), code.lines().count() + 1);
    }
}
