//! The Typst world a brief is typeset in: the fonts, library and template shared by every
//! brief of a build, and one brief's data, content and figures; no other file can be read.

use std::collections::HashMap;
use std::path::PathBuf;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The template's entry file, in the template's folder.
pub const MAIN: &str = "brief.typ";
/// The brief's data (JSON), as the template reads it.
pub const DATA: &str = "/_folio/brief.json";
/// The brief's content (escaped markup), as the template imports it.
pub const CONTENT: &str = "/_folio/content.typ";

/// What every brief of a build shares: made once, typeset against many times.
pub struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// The template's files by their path in the world (`/brief.typ`, …).
    template: HashMap<FileId, Bytes>,
    main: Source,
}

impl Shared {
    /// The fonts Typst ships, the standard library and the template's files (`brief.typ` and
    /// whatever it imports); `None` when the template has no `brief.typ`.
    pub fn new(template_files: Vec<(String, Vec<u8>)>) -> Option<Shared> {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let template: HashMap<FileId, Bytes> = template_files
            .into_iter()
            .filter_map(|(name, bytes)| Some((file_id(&format!("/{name}"))?, Bytes::new(bytes))))
            .collect();
        let main_id = file_id(&format!("/{MAIN}"))?;
        let text = std::str::from_utf8(template.get(&main_id)?)
            .ok()?
            .to_string();
        Some(Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            main: Source::new(main_id, text),
            template,
        })
    }
}

/// One brief's world: the shared part, its data and content, and its figures' files.
pub struct BriefWorld<'s> {
    shared: &'s Shared,
    data: Bytes,
    content: Source,
    /// Each figure's path in the world and its file beside the brief.
    figures: HashMap<FileId, PathBuf>,
}

impl<'s> BriefWorld<'s> {
    pub fn new(
        shared: &'s Shared,
        data: String,
        content: String,
        figures: &[(String, PathBuf)],
    ) -> BriefWorld<'s> {
        let content_id = file_id(CONTENT).expect("the content's path is valid");
        BriefWorld {
            shared,
            data: Bytes::from_string(data),
            content: Source::new(content_id, content),
            figures: figures
                .iter()
                .filter_map(|(path, file)| Some((file_id(path)?, file.clone())))
                .collect(),
        }
    }

    /// The text of a Typst source of this world, to place a problem in it.
    pub fn text_of(&self, id: FileId) -> Option<String> {
        self.source(id).ok().map(|source| source.text().to_string())
    }
}

impl World for BriefWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.shared.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.main.id() {
            return Ok(self.shared.main.clone());
        }
        if id == self.content.id() {
            return Ok(self.content.clone());
        }
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.content.id() {
            return Ok(Bytes::from_string(self.content.text().to_string()));
        }
        if id.vpath().get_with_slash() == DATA {
            return Ok(self.data.clone());
        }
        if let Some(bytes) = self.shared.template.get(&id) {
            return Ok(bytes.clone());
        }
        match self.figures.get(&id) {
            Some(file) => std::fs::read(file)
                .map(Bytes::new)
                .map_err(|err| FileError::from_io(err, file)),
            None => Err(FileError::NotFound(PathBuf::from(
                id.vpath().get_with_slash(),
            ))),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    /// No clock: a brief's PDF depends on its inputs alone.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// The id of a path in the world. Ids are interned for the life of the process (at most 65,535),
/// so every brief uses the same few paths.
pub fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(RootedPath::new(VirtualRoot::Project, vpath).intern())
}
