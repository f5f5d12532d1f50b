//! Which addresses a page may carry: `http(s)`, `mailto:`, in-page `#…` and paths on the site.
//! Any other scheme (`javascript:`, `data:`, `file:`, `vbscript:` …) is refused, in a body and
//! in front matter alike, so no brief can publish a link that runs script or reads local files.

/// The schemes a published address may use.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Why an address may not be published, or `None` when it may. Read as a browser reads it:
/// leading spaces and control characters skipped, tabs and line breaks inside dropped, the
/// scheme in any case (`JaVaScRiPt:` is `javascript:`).
pub fn refused_address(address: &str) -> Option<String> {
    let scheme = scheme(address)?;
    (!ALLOWED_SCHEMES.contains(&scheme.as_str())).then(|| {
        format!("the address `{address}` uses the `{scheme}:` scheme, which folio does not publish")
    })
}

/// The help for a refused address.
pub fn address_help() -> &'static str {
    "addresses may be `https://…`, `http://…`, `mailto:…`, an in-page `#anchor` or a path on \
     this site (`/briefs/…/`, `chart.svg`)"
}

/// The scheme of an address, lowercased; `None` for a relative one (`chart.svg`, `/x/`,
/// `#notes`, `//host/x`, `a/b:c`).
fn scheme(address: &str) -> Option<String> {
    let cleaned: String = address
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (candidate, _) = cleaned.split_once(':')?;
    let mut chars = candidate.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| candidate.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_local_schemes_are_refused_in_every_spelling() {
        for address in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " \u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "vbscript:msgbox(1)",
        ] {
            assert!(refused_address(address).is_some(), "{address:?} passed");
        }
    }

    #[test]
    fn web_mail_anchor_and_site_addresses_pass() {
        for address in [
            "https://ons.gov.uk/x",
            "HTTP://example.org",
            "mailto:press@example.org",
            "#notes",
            "/briefs/x/",
            "chart.svg",
            "../other/",
            "//cdn.example.org/x.png",
            "a/b:c",
            "?page=2",
            "x.html#a:b",
        ] {
            assert_eq!(refused_address(address), None, "{address:?} refused");
        }
    }
}
