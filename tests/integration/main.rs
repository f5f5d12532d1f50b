//! Integration tests: build fixture sites with the real `folio` binary and check the output by
//! parsing it, as a reader's browser would.

mod common;
mod errors;
mod example_site;
mod footnotes;
mod output;
mod site_pages;
mod sources_figures;
