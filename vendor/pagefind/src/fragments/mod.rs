use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

// folio: `Deserialize` on these, and `Serialize` for `PageAnchorData` written out, so that a
// parsed page can be kept between builds in a compact format (`ParsedPage`).
#[derive(Deserialize, Debug, Clone)]
pub struct PageAnchorData {
    pub element: String,
    pub id: String,
    pub text: String,
    pub title: Option<String>,
    pub location: u32,
}

impl Serialize for PageAnchorData {
    /// As the fragment's JSON has it, `title` only when there is one; for a format that is not
    /// self-describing (a kept `ParsedPage`), every field, so it reads back.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let human = serializer.is_human_readable();
        let mut anchor = serializer.serialize_struct("PageAnchorData", 5)?;
        anchor.serialize_field("element", &self.element)?;
        anchor.serialize_field("id", &self.id)?;
        anchor.serialize_field("text", &self.text)?;
        if self.title.is_some() || !human {
            anchor.serialize_field("title", &self.title)?;
        } else {
            anchor.skip_field("title")?;
        }
        anchor.serialize_field("location", &self.location)?;
        anchor.end()
    }
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct PageFragmentData {
    pub url: String,
    pub content: String,
    pub word_count: usize,
    pub filters: BTreeMap<String, Vec<String>>,
    pub meta: BTreeMap<String, String>,
    pub anchors: Vec<PageAnchorData>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct PageFragment {
    pub page_number: usize,
    pub data: PageFragmentData,
}
