//! The page layout engine of the printable certificates: embedded fonts (Latin and CJK), line
//! wrapping, labelled fields, page breaks, stamps across each page, and the footer with the QR
//! code. The two templates (`phytosanitary`, `veterinary`) only say what goes where.

use printpdf::{
    Color, Line, LinePoint, Mm, Op, PaintMode, PdfFontHandle, PdfPage, Point, Polygon, PolygonRing, Pt, Rgb, TextItem,
    WindingOrder,
};
use qrcode::{Color as QrColor, EcLevel, QrCode};

pub const LATIN_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
pub const CJK_TTF: &[u8] = include_bytes!("../../../assets/fonts/DroidSansFallbackFull.ttf");

pub const PAGE_WIDTH_MM: f32 = 210.0;
pub const PAGE_HEIGHT_MM: f32 = 297.0;
const MARGIN: f32 = 42.0; // pt
const BOTTOM: f32 = 150.0; // pt kept free for the footer and the QR code

pub struct Fonts {
    pub latin: PdfFontHandle,
    pub cjk: PdfFontHandle,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

/// Approximate width in em, for wrapping: CJK glyphs are square, the rest about half an em.
pub fn em_width(text: &str) -> f32 {
    text.chars().map(|c| if is_cjk(c) { 1.0 } else { 0.55 }).sum()
}

pub fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let max_em = width / size;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if em_width(&candidate) > max_em && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line = word.to_owned();
            } else {
                line = candidate;
            }
            // A single unbreakable run (long CJK text) is cut by characters.
            while em_width(&line) > max_em {
                let mut cut = String::new();
                for c in line.chars() {
                    if em_width(&cut) + em_width(&c.to_string()) > max_em {
                        break;
                    }
                    cut.push(c);
                }
                if cut.is_empty() {
                    break;
                }
                line = line[cut.len()..].to_owned();
                lines.push(cut);
            }
        }
        lines.push(line);
    }
    lines
}

pub struct PageWriter<'a> {
    fonts: &'a Fonts,
    pub pages: Vec<PdfPage>,
    ops: Vec<Op>,
    y: f32,
    marks: Vec<(String, Rgb)>,
}

impl<'a> PageWriter<'a> {
    pub fn new(fonts: &'a Fonts, marks: Vec<(String, Rgb)>) -> Self {
        let mut writer = Self {
            fonts,
            pages: Vec::new(),
            ops: Vec::new(),
            y: 0.0,
            marks,
        };
        writer.start_page();
        writer
    }

    fn height() -> f32 {
        Pt::from(Mm(PAGE_HEIGHT_MM)).0
    }

    fn width() -> f32 {
        Pt::from(Mm(PAGE_WIDTH_MM)).0
    }

    fn start_page(&mut self) {
        self.y = Self::height() - MARGIN;
        for (index, (mark, color)) in self.marks.clone().iter().enumerate() {
            self.ops.push(Op::SetFillColor {
                col: Color::Rgb(color.clone()),
            });
            self.text_at(MARGIN + 40.0, Self::height() / 2.0 - 40.0 * index as f32, 34.0, mark);
            self.ops.push(Op::SetFillColor {
                col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)),
            });
        }
    }

    pub fn finish_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.pages
            .push(PdfPage::new(Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM), ops));
    }

    /// Writes one line at (x, y), switching fonts between Latin and CJK runs.
    fn text_at(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetTextCursor {
            pos: Point { x: Pt(x), y: Pt(y) },
        });
        let mut run = String::new();
        let mut run_is_cjk = None;
        let flush = |ops: &mut Vec<Op>, run: &mut String, cjk: bool, fonts: &Fonts| {
            if run.is_empty() {
                return;
            }
            let font = if cjk { fonts.cjk.clone() } else { fonts.latin.clone() };
            ops.push(Op::SetFont { font, size: Pt(size) });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(std::mem::take(run))],
            });
        };
        for c in text.chars() {
            let cjk = is_cjk(c);
            if run_is_cjk.is_some_and(|current| current != cjk) {
                flush(&mut self.ops, &mut run, run_is_cjk.unwrap_or(false), self.fonts);
            }
            run_is_cjk = Some(cjk);
            run.push(c);
        }
        flush(&mut self.ops, &mut run, run_is_cjk.unwrap_or(false), self.fonts);
        self.ops.push(Op::EndTextSection);
    }

    fn ensure_room(&mut self, needed: f32) {
        if self.y - needed < BOTTOM {
            self.finish_page();
            self.start_page();
        }
    }

    pub fn line(&mut self, indent: f32, size: f32, text: &str) {
        for wrapped in wrap(text, size, Self::width() - 2.0 * MARGIN - indent) {
            self.ensure_room(size * 1.35);
            let y = self.y - size;
            self.text_at(MARGIN + indent, y, size, &wrapped);
            self.y -= size * 1.35;
        }
    }

    /// A trilingual label and its value.
    pub fn field(&mut self, label: &str, value: &str) {
        self.ensure_room(30.0);
        self.line(0.0, 7.5, label);
        self.line(12.0, 9.5, if value.is_empty() { "—" } else { value });
        self.y -= 3.0;
    }

    pub fn rule(&mut self) {
        self.y -= 4.0;
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: Point {
                            x: Pt(MARGIN),
                            y: Pt(self.y),
                        },
                        bezier: false,
                    },
                    LinePoint {
                        p: Point {
                            x: Pt(Self::width() - MARGIN),
                            y: Pt(self.y),
                        },
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
        self.y -= 8.0;
    }

    /// The footer: signatory, key, hash, and the QR code of the verification URL.
    pub fn footer(&mut self, lines: &[String], url: &str) {
        let mut y = BOTTOM - 14.0;
        for line in lines {
            self.text_at(MARGIN, y, 8.0, line);
            y -= 11.0;
        }
        if let Ok(code) = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) {
            let modules = code.width();
            let size = 100.0;
            let module = size / modules as f32;
            let (left, top) = (Self::width() - MARGIN - size, BOTTOM - 8.0);
            let mut rings = Vec::new();
            for (index, color) in code.to_colors().into_iter().enumerate() {
                if color != QrColor::Dark {
                    continue;
                }
                let (x, y) = (
                    left + (index % modules) as f32 * module,
                    top - (index / modules + 1) as f32 * module,
                );
                let corner = |x: f32, y: f32| LinePoint {
                    p: Point { x: Pt(x), y: Pt(y) },
                    bezier: false,
                };
                rings.push(PolygonRing {
                    points: vec![
                        corner(x, y),
                        corner(x + module, y),
                        corner(x + module, y + module),
                        corner(x, y + module),
                    ],
                });
            }
            self.ops.push(Op::DrawPolygon {
                polygon: Polygon {
                    rings,
                    mode: PaintMode::Fill,
                    winding_order: WindingOrder::NonZero,
                },
            });
            let url_width = em_width(url) * 6.5;
            self.text_at(
                (Self::width() - MARGIN - url_width).max(MARGIN),
                top - size - 10.0,
                6.5,
                url,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_the_width_and_cjk_counts_double() {
        let lines = wrap("one two three four five six seven eight nine ten", 10.0, 100.0);
        assert!(lines.len() > 1);
        assert!(
            lines.iter().all(|line| em_width(line) * 10.0 <= 100.0 + 1e-3),
            "{lines:?}"
        );
        assert!(em_width("榴莲") > em_width("ab"));
        let cjk = wrap(&"榴".repeat(40), 10.0, 100.0);
        assert!(cjk.len() >= 4, "{cjk:?}");
    }
}
