//! folio's intended differences from the standard: the kinds of addition folio makes on purpose,
//! each undone here on folio's side only, as `tests/commonmark/intended-differences.toml`
//! documents them.

use super::normalize::Token;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/commonmark/intended-differences.toml"
);

/// The file of intended differences.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Differences {
    /// Kinds of difference, by name, each with its reason.
    pub kind: BTreeMap<String, Documented>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documented {
    pub reason: String,
}

/// A rewrite of folio's tokens that undoes one kind of intended difference, given the expected
/// tokens (for what folio's output no longer holds); true when it changed something.
type Undo = fn(&mut Vec<Token>, &[Token]) -> bool;

/// Every kind of difference this test knows how to undo.
const KINDS: &[(&str, Undo)] = &[
    ("heading-id", |tokens, _| undo_heading_ids(tokens)),
    ("smart-punctuation", |tokens, _| {
        undo_smart_punctuation(tokens)
    }),
    ("code-block", |tokens, _| undo_code_block_markup(tokens)),
    ("cited-source", |tokens, _| undo_cited_sources(tokens)),
    ("figure", |tokens, _| undo_figures(tokens)),
    ("refused-scheme", |tokens, expected| {
        undo_refused_addresses(tokens, expected)
    }),
];

impl Differences {
    pub fn load() -> Differences {
        let text = std::fs::read_to_string(FILE).unwrap_or_else(|e| panic!("{FILE}: {e}"));
        let differences: Differences =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{FILE}: {e}"));
        differences.check_kinds();
        differences
    }

    /// Every kind documented is one the test undoes, and every kind it undoes is documented:
    /// no difference is stripped without a written reason.
    fn check_kinds(&self) {
        for (name, documented) in &self.kind {
            assert!(
                !documented.reason.trim().is_empty(),
                "{FILE}: kind `{name}` needs a reason"
            );
            assert!(
                KINDS.iter().any(|(kind, _)| kind == name),
                "{FILE}: kind `{name}` has no rule in tests/integration/conformance/differences.rs"
            );
        }
        for (kind, _) in KINDS {
            assert!(
                self.kind.contains_key(*kind),
                "{FILE}: the test undoes `{kind}`, which the file does not document"
            );
        }
    }

    /// Undoes every documented kind of difference in folio's tokens; the kinds that changed
    /// something.
    pub fn undo(&self, tokens: &mut Vec<Token>, expected: &[Token]) -> Vec<&'static str> {
        KINDS
            .iter()
            .filter(|(name, _)| self.kind.contains_key(*name))
            .filter_map(|(name, undo)| undo(tokens, expected).then_some(*name))
            .collect()
    }
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Removes attributes `keys` from a start tag; true when one was there.
fn remove_attrs(token: &mut Token, keys: &[&str]) -> bool {
    let Token::Start { attrs, .. } = token else {
        return false;
    };
    let before = attrs.len();
    attrs.retain(|(k, _)| !keys.contains(&k.as_str()));
    attrs.len() != before
}

/// folio gives every heading an `id`, for links and the table of contents.
fn undo_heading_ids(tokens: &mut [Token]) -> bool {
    let mut changed = false;
    for token in tokens.iter_mut() {
        if matches!(token, Token::Start { name, .. } if is_heading(name)) {
            changed |= remove_attrs(token, &["id"]);
        }
    }
    changed
}

/// Typographic quotes, dashes and ellipses written back as the ASCII folio turned into them.
fn fold_typography(text: &str) -> String {
    text.replace(['\u{2018}', '\u{2019}'], "'")
        .replace(['\u{201c}', '\u{201d}'], "\"")
        .replace('\u{2014}', "---")
        .replace('\u{2013}', "--")
        .replace('\u{2026}', "...")
}

/// folio turns straight quotes, `--`, `---` and `...` in prose (not in code) into typographic
/// ones.
fn undo_smart_punctuation(tokens: &mut [Token]) -> bool {
    let mut changed = false;
    let mut in_code = 0usize;
    for token in tokens.iter_mut() {
        match token {
            Token::Start { name, .. } if name == "code" => in_code += 1,
            Token::End(name) if name == "code" => in_code = in_code.saturating_sub(1),
            Token::Data(text) if in_code == 0 => {
                let folded = fold_typography(text);
                changed |= folded != *text;
                *text = folded;
            }
            Token::Start { attrs, .. } => {
                for (key, value) in attrs.iter_mut() {
                    if let (true, Some(value)) = (key == "alt" || key == "title", value) {
                        let folded = fold_typography(value);
                        changed |= folded != *value;
                        *value = folded;
                    }
                }
            }
            _ => {}
        }
    }
    changed
}

/// folio's code blocks: `<pre class="code" data-lang="x" tabindex="0">` where the standard has
/// `<pre>` and `<code class="language-x">`, and highlighting spans inside.
fn undo_code_block_markup(tokens: &mut Vec<Token>) -> bool {
    let mut changed = false;
    let mut language: Option<Option<String>> = None;
    let mut in_pre = false;
    let mut kept = Vec::with_capacity(tokens.len());
    for mut token in tokens.drain(..) {
        if token.is_start("pre") && token.attr("class") == Some("code") {
            language = Some(token.attr("data-lang").map(str::to_string));
            remove_attrs(&mut token, &["class", "data-lang", "tabindex"]);
            in_pre = true;
            changed = true;
        } else if token.is_end("pre") {
            in_pre = false;
        } else if in_pre && (token.is_start("span") || token.is_end("span")) {
            continue;
        } else if token.is_start("code")
            && let Some(Some(lang)) = language.take()
            && let Token::Start { attrs, .. } = &mut token
        {
            attrs.push(("class".into(), Some(format!("language-{lang}"))));
        }
        kept.push(token);
    }
    *tokens = kept;
    changed
}

/// folio cites links to other sites as sources: `class="ext"` and an `id` the Sources list
/// links back to.
fn undo_cited_sources(tokens: &mut [Token]) -> bool {
    let mut changed = false;
    for token in tokens.iter_mut() {
        if token.is_start("a") && token.attr("class") == Some("ext") {
            changed |= remove_attrs(token, &["class", "id"]);
        }
    }
    changed
}

/// folio makes an image alone in its paragraph a numbered figure, its title the caption:
/// written back as the standard's `<p><img … title></p>`. A figure written as raw HTML (no
/// `fig-label`) is left as it is.
fn undo_figures(tokens: &mut Vec<Token>) -> bool {
    let mut changed = false;
    let mut kept = Vec::with_capacity(tokens.len());
    let mut rest = std::mem::take(tokens).into_iter();
    while let Some(token) = rest.next() {
        if !token.is_start("figure") {
            kept.push(token);
            continue;
        }
        let inner: Vec<Token> = rest.by_ref().take_while(|t| !t.is_end("figure")).collect();
        let folios = inner
            .iter()
            .any(|t| t.is_start("span") && t.attr("class") == Some("fig-label"));
        if folios {
            kept.extend(figure_as_paragraph(&inner));
            changed = true;
        } else {
            kept.push(token);
            kept.extend(inner);
            kept.push(Token::End("figure".into()));
        }
    }
    *tokens = kept;
    changed
}

/// A figure's tokens as the standard's paragraph holding one image.
fn figure_as_paragraph(inner: &[Token]) -> Vec<Token> {
    let mut image = inner
        .iter()
        .find(|t| t.is_start("img"))
        .cloned()
        .expect("a folio figure holds an image");
    remove_attrs(&mut image, &["loading", "width", "height"]);
    let title = caption_title(inner);
    if let (Some(title), Token::Start { attrs, .. }) = (title, &mut image) {
        attrs.push(("title".into(), Some(title)));
    }
    vec![
        Token::Start {
            name: "p".into(),
            attrs: Vec::new(),
            self_closing: false,
        },
        image,
        Token::End("p".into()),
    ]
}

/// The text of a figure's `<span class="fig-title">`, if it has one.
fn caption_title(inner: &[Token]) -> Option<String> {
    let start = inner
        .iter()
        .position(|t| t.is_start("span") && t.attr("class") == Some("fig-title"))?;
    let title = inner[start + 1..]
        .iter()
        .take_while(|t| !t.is_end("span"))
        .filter_map(|t| match t {
            Token::Data(text) => Some(text.clone()),
            Token::Ref(html) => Some(html_escape::decode_html_entities(html).into_owned()),
            _ => None,
        })
        .collect();
    Some(title)
}

/// folio publishes only `http(s)`, `mailto:` and relative addresses: a link to any other scheme
/// gets `href="#"` (and `folio build` reports an error at it). The address is put back from
/// the expected link in the same place, only when folio's own rule refuses that address.
fn undo_refused_addresses(tokens: &mut [Token], expected: &[Token]) -> bool {
    let expected_links = expected.iter().filter(|t| t.is_start("a"));
    let links = tokens.iter_mut().filter(|t| t.is_start("a"));
    let mut changed = false;
    for (link, wanted) in links.zip(expected_links) {
        let Some(address) = wanted.attr("href").map(str::to_string) else {
            continue;
        };
        let refused = folio::content::addresses::refused_address(&address).is_some();
        if link.attr("href") == Some("#")
            && refused
            && let Token::Start { attrs, .. } = link
        {
            for (_, value) in attrs.iter_mut().filter(|(k, _)| k == "href") {
                *value = Some(address.clone());
                changed = true;
            }
        }
    }
    changed
}
