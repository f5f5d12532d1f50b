//! Integration tests: build fixture sites with the real `folio` binary and check the output by
//! parsing it, as a reader's browser would.

mod architecture;
mod bad_input;
mod bibliography;
mod cache;
mod check;
mod cite;
mod common;
mod conformance;
mod crash_safety;
mod editorial;
mod errors;
mod example_site;
mod feeds;
mod footnotes;
mod metadata;
mod output;
mod pdf;
mod scaffold;
mod search;
mod serve;
mod site_pages;
mod sources_figures;
mod sources_index;
mod unchanged;
mod untrusted;
