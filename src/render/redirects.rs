//! Redirects from a brief's old addresses (`aliases:`): a small page at each, and the
//! `_redirects` file that Netlify and Cloudflare Pages answer with a real 301.

use crate::markdown::escape;
use crate::site::{Brief, Site};

/// The page at an old address: a refresh to the brief, its canonical address, a plain link for
/// whatever does not follow the refresh, and `noindex` so search engines keep the new one.
pub fn page(site: &Site, brief: &Brief) -> String {
    let target = escape(&brief.url);
    let canonical = escape(&site.config.absolute_url(&brief.url));
    let title = escape(&brief.doc.title);
    let language = escape(&site.config.language);
    format!(
        "<!doctype html>\n<html lang=\"{language}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body>\n\
         <p>This brief has moved to <a href=\"{target}\">{title}</a>.</p>\n</body>\n</html>\n"
    )
}

/// Every alias, one line each: `old new 301`.
pub fn netlify(site: &Site) -> String {
    let mut lines = String::from("# Old addresses of briefs (aliases:), written by folio\n");
    for brief in &site.briefs {
        for alias in &brief.doc.aliases {
            let old = site.config.url(&alias.value);
            lines.push_str(&format!("{old} {} 301\n", brief.url));
        }
    }
    lines
}
