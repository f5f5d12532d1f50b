//! hayagriva's CSL locales, decoded a language at a time and kept for the process.
//!
//! hayagriva decodes all sixty at once (`archive::locales`): ~480 M instructions, most of them
//! formatting the errors its term parser tries and throws away; more than the rest of a small
//! site's build. build.rs writes each locale to a file of its own; a citation needs only its
//! own language's (hayagriva looks up the exact code, then the language's main dialect, then
//! US English), so only those are decoded.

use crate::lock;
use hayagriva::citationberg::Locale;
use std::sync::Mutex;

/// Every locale in hayagriva's archive: its code and its CBOR (written by build.rs).
const ARCHIVE: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// The locales of hayagriva's archive a citation in any of `languages` (locale codes such as
/// `en`, `fr-CA`) may use: those of the same base language, and US English.
pub(crate) fn locales_for<'l>(languages: impl IntoIterator<Item = &'l str>) -> &'static [Locale] {
    type Decoded = Vec<(Vec<String>, &'static [Locale])>;
    static LOCALES: Mutex<Decoded> = Mutex::new(Vec::new());
    let mut bases: Vec<String> = languages.into_iter().map(base).collect();
    bases.push("en".into());
    bases.sort();
    bases.dedup();
    let mut decoded = lock(&LOCALES);
    if let Some((_, locales)) = decoded.iter().find(|(known, _)| *known == bases) {
        return locales;
    }
    let locales: Vec<Locale> = ARCHIVE
        .iter()
        .filter(|(code, _)| bases.contains(&base(code)))
        .filter_map(|(_, bytes)| ciborium::from_reader(*bytes).ok())
        .collect();
    let locales: &'static [Locale] = Box::leak(locales.into_boxed_slice());
    decoded.push((bases, locales));
    locales
}

/// The language of a locale code, lowercase: `en` of `en-GB` (`x-lang` of `x-lang-XY`, as
/// CSL writes unregistered languages).
fn base(code: &str) -> String {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or_default();
    let base = match (first, parts.next()) {
        ("i" | "I" | "x" | "X", Some(second)) => format!("{first}-{second}"),
        _ => first.to_string(),
    };
    base.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_locale_decodes_as_hayagriva_decodes_it() {
        let all = hayagriva::archive::locales();
        assert_eq!(ARCHIVE.len(), all.len());
        for locale in &all {
            let code = locale.lang.as_ref().unwrap().0.as_str();
            let (_, bytes) = ARCHIVE.iter().find(|(c, _)| *c == code).unwrap();
            let ours: Locale = ciborium::from_reader(*bytes).unwrap();
            assert_eq!(&ours, locale, "{code}");
        }
    }

    #[test]
    fn a_language_gets_its_dialects_and_us_english() {
        let codes = |languages: &[&str]| -> Vec<String> {
            locales_for(languages.iter().copied())
                .iter()
                .map(|l| l.lang.as_ref().unwrap().0.clone())
                .collect()
        };
        let french = codes(&["fr"]);
        assert!(french.contains(&"fr-FR".to_string()), "{french:?}");
        assert!(french.contains(&"fr-CA".to_string()), "{french:?}");
        assert!(french.contains(&"en-US".to_string()), "{french:?}");
        assert!(!french.iter().any(|c| c.starts_with("de")), "{french:?}");
        assert!(codes(&["en"]).len() < 5);
    }
}
