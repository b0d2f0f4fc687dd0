//! The printable certificate: A4, English labels with Vietnamese and Chinese beside them, the
//! QR code of the public verification URL, a stamp when revoked or replaced, and optional
//! copies marked COPY. Fonts are embedded from the repository (assets/fonts), subset per PDF.

mod layout;
mod phytosanitary;
mod veterinary;

use crate::domain::certificate::CertificateContent;
use layout::{CJK_TTF, Fonts, LATIN_TTF, PageWriter};
use printpdf::{ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Rgb};
use serde::Serialize;
use serde_json::Value;

/// What a rendering shows besides the signed content.
#[derive(Debug, Clone)]
pub struct Rendering<'a> {
    pub content: &'a CertificateContent,
    pub status: &'a str,
    pub replaced_by: Option<&'a str>,
    pub verification_url: &'a str,
    /// Printed beside the QR code: with it, verification shows the full content.
    pub verification_code: Option<&'a str>,
    pub key_id: &'a str,
    pub payload_sha256: &'a str,
    /// Copies after the original, each marked COPY.
    pub copies: u8,
}

fn marks(rendering: &Rendering, copy: bool) -> Vec<(String, Rgb)> {
    let red = Rgb::new(0.8, 0.05, 0.05, None);
    let grey = Rgb::new(0.55, 0.55, 0.55, None);
    let mut marks = Vec::new();
    match rendering.status {
        "revoked" => marks.push(("REVOKED / ĐÃ THU HỒI / 已撤销".to_owned(), red)),
        "replaced" => marks.push((
            format!(
                "REPLACED BY {} / ĐÃ THAY THẾ / 已替换",
                rendering.replaced_by.unwrap_or_default()
            ),
            red,
        )),
        _ => {}
    }
    if copy {
        marks.push(("COPY / BẢN SAO / 副本".to_owned(), grey));
    }
    marks
}

/// A value as the signed JSON writes it: text as is, numbers as JSON numbers (`18000.0`),
/// enums by their names, nothing for null.
fn shown<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => text,
        Ok(Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}

/// Name, address and country on one line, leaving out what is empty.
fn party(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_one(fonts: &Fonts, rendering: &Rendering, copy: bool) -> Vec<PdfPage> {
    let content = rendering.content;
    let mut writer = PageWriter::new(fonts, marks(rendering, copy));
    let (title, replaces) = match content {
        CertificateContent::Veterinary(content) => (
            "VETERINARY CERTIFICATE / GIẤY CHỨNG NHẬN KIỂM DỊCH ĐỘNG VẬT / 兽医卫生证书",
            content.replaces.as_deref(),
        ),
        CertificateContent::Phytosanitary(content) => (
            "PHYTOSANITARY CERTIFICATE / GIẤY CHỨNG NHẬN KIỂM DỊCH THỰC VẬT / 植物检疫证书",
            content.replaces.as_deref(),
        ),
    };
    writer.line(0.0, 12.5, title);
    writer.line(
        0.0,
        10.0,
        &format!(
            "No. / Số / 编号: {}    Status / Trạng thái / 状态: {}{}",
            content.number(),
            rendering.status.to_uppercase(),
            if copy {
                "    COPY / BẢN SAO / 副本"
            } else {
                "    ORIGINAL / BẢN CHÍNH / 正本"
            }
        ),
    );
    if let Some(replaced) = replaces {
        writer.line(
            0.0,
            9.0,
            &format!("Replaces certificate / Thay thế giấy chứng nhận / 替换证书 {replaced}"),
        );
    }
    writer.line(
        0.0,
        8.0,
        &format!("Protocol / Nghị định thư / 议定书: {}", content.protocol().title),
    );
    writer.rule();
    let (officer, place) = match content {
        CertificateContent::Veterinary(content) => {
            veterinary::body(&mut writer, content);
            (&content.issue.quarantine_officer, &content.issue.place_of_issue)
        }
        CertificateContent::Phytosanitary(content) => {
            phytosanitary::body(&mut writer, content);
            (&content.authorized_officer, &content.place_of_issue)
        }
    };
    let footer = [
        format!(
            "Issuing authority / Cơ quan cấp / 签发机构: {}",
            content.issuing_authority()
        ),
        format!("Authorized officer / Cán bộ có thẩm quyền / 授权官员: {officer}"),
        format!(
            "Place and date of issue / Nơi và ngày cấp / 签发地点及日期: {place}, {}",
            content.date_of_issue()
        ),
        format!("Signed electronically (Ed25519), key {}", rendering.key_id),
        format!("SHA-256 {}", rendering.payload_sha256),
        "Verify / Xác minh / 验证: scan the QR code".to_owned(),
    ];
    let footer: Vec<String> = footer
        .into_iter()
        .chain(
            rendering
                .verification_code
                .map(|code| format!("Verification code / Mã xác minh / 验证码: {code}")),
        )
        .collect();
    writer.footer(&footer, rendering.verification_url);
    writer.finish_page();
    writer.pages
}

/// Renders the certificate; `None` if an embedded font cannot be read.
pub fn render(rendering: &Rendering) -> Option<Vec<u8>> {
    let mut document = PdfDocument::new(&format!("Certificate {}", rendering.content.number()));
    let latin = ParsedFont::from_bytes(LATIN_TTF, 0, &mut Vec::new())?;
    let cjk = ParsedFont::from_bytes(CJK_TTF, 0, &mut Vec::new())?;
    let fonts = Fonts {
        latin: PdfFontHandle::External(document.add_font(&latin)),
        cjk: PdfFontHandle::External(document.add_font(&cjk)),
    };
    let mut pages = render_one(&fonts, rendering, false);
    for _ in 0..rendering.copies {
        pages.extend(render_one(&fonts, rendering, true));
    }
    Some(
        document
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certificate::golden_tests::assert_matches_golden;

    const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/certificates");

    /// Each page's text, as lopdf reads it through the fonts' ToUnicode maps.
    fn page_texts(pdf: &[u8]) -> String {
        let document = lopdf::Document::load_mem(pdf).unwrap();
        let mut out = String::new();
        for page in document.get_pages().keys() {
            out.push_str(&format!("--- page {page}\n"));
            out.push_str(&document.extract_text(&[*page]).unwrap());
        }
        out
    }

    /// PDFs carry a random document id, so two renderings are never byte-identical; what a
    /// reader sees (pages and their text) is kept in reviewed golden text. It was produced by
    /// the JSON-built content before the content became typed; a deliberate template change
    /// rewrites it (`UPDATE_SNAPSHOTS=1`) in the same commit: since then the veterinary
    /// template gained the CITES and import permit lines, and places, conveyance and counts
    /// print in words.
    #[test]
    fn golden_certificates_render_their_reviewed_pages_and_text() {
        for (name, status, replaced_by, copies) in [
            ("fresh-durian", "valid", None, 0u8),
            ("frozen-durian", "replaced", Some("VN-PC-2025-000009"), 0),
            ("coconut", "revoked", None, 1),
            ("crocodile", "valid", None, 2),
        ] {
            let payload = std::fs::read(format!("{GOLDEN}/{name}.json")).unwrap();
            let content = CertificateContent::decode(&payload).unwrap();
            let pdf = render(&Rendering {
                content: &content,
                status,
                replaced_by,
                verification_url: "https://verify.example.vn/v1/verify/X",
                verification_code: None,
                key_id: "ed25519-0123456789abcdef",
                payload_sha256: "ab",
                copies,
            })
            .unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
            assert_matches_golden(&format!("{name}.{status}.pdf.txt"), &page_texts(&pdf));
        }
    }
}
