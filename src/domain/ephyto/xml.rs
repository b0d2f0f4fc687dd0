//! A small XML writer: elements written in order, text and attributes escaped.

use std::fmt::Write;

/// Escapes text for XML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab, newline and carriage return are not XML.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub struct Xml {
    pub out: String,
}

impl Xml {
    pub fn open(&mut self, name: &str) {
        let _ = write!(self.out, "<{name}>");
    }
    pub fn close(&mut self, name: &str) {
        let _ = write!(self.out, "</{name}>");
    }
    pub fn leaf(&mut self, name: &str, text: &str) {
        let _ = write!(self.out, "<{name}>{}</{name}>", escape(text));
    }
    pub fn leaf_with(&mut self, name: &str, attribute: (&str, &str), text: &str) {
        let _ = write!(
            self.out,
            "<{name} {}=\"{}\">{}</{name}>",
            attribute.0,
            escape(attribute.1),
            escape(text)
        );
    }
    pub fn party(&mut self, element: &str, name: &str, address: &str) {
        self.open(element);
        self.leaf("ram:Name", name);
        self.open("ram:SpecifiedSPSAddress");
        self.leaf("ram:LineOne", address);
        self.close("ram:SpecifiedSPSAddress");
        self.close(element);
    }
    pub fn note(&mut self, subject: &str, content: &str) {
        self.open("ram:IncludedSPSNote");
        self.leaf("ram:Subject", subject);
        self.leaf("ram:Content", content);
        self.close("ram:IncludedSPSNote");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_diacritics_kept() {
        assert_eq!(
            escape("Vina T&T <Bến Tre> \"x\" 'y'\u{1}"),
            "Vina T&amp;T &lt;Bến Tre&gt; &quot;x&quot; &apos;y&apos;"
        );
    }
}
