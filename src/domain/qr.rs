//! The QR code of a certificate's public verification URL, as SVG: one square per dark module
//! on a white background with the standard four-module quiet zone.

use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write;

const QUIET_ZONE: usize = 4;

/// An SVG of the QR code for `text`; `None` if the text is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let size = width + 2 * QUIET_ZONE;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{}\" height=\"{}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>",
        size * 8,
        size * 8
    );
    for (index, color) in code.to_colors().into_iter().enumerate() {
        if color == Color::Dark {
            let (x, y) = (index % width + QUIET_ZONE, index / width + QUIET_ZONE);
            let _ = write!(out, "<rect x=\"{x}\" y=\"{y}\" width=\"1\" height=\"1\"/>");
        }
    }
    out.push_str("</svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_has_a_quiet_zone_and_dark_modules() {
        let svg = svg("https://verify.example/v1/verify/VN-PC-2026-000001").unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
        assert!(svg.matches("<rect x=").count() > 100);
        assert!(!svg.contains("x=\"0\" y=\"0\""), "the quiet zone stays white");
    }
}
