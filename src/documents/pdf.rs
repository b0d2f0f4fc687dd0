//! The printable certificate: A4, English labels with Vietnamese and Chinese beside them, the
//! QR code of the public verification URL, a stamp when revoked or replaced, and optional
//! copies marked COPY. Fonts are embedded from the repository (assets/fonts), subset per PDF.

use printpdf::{
    Color, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point,
    Polygon, PolygonRing, Pt, Rgb, TextItem, WindingOrder,
};
use qrcode::{Color as QrColor, EcLevel, QrCode};
use serde_json::Value;

const LATIN_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const CJK_TTF: &[u8] = include_bytes!("../../assets/fonts/DroidSansFallbackFull.ttf");

const PAGE_WIDTH_MM: f32 = 210.0;
const PAGE_HEIGHT_MM: f32 = 297.0;
const MARGIN: f32 = 42.0; // pt
const BOTTOM: f32 = 150.0; // pt kept free for the footer and the QR code

/// What a rendering shows besides the signed content.
#[derive(Debug, Clone)]
pub struct Rendering<'a> {
    pub content: &'a Value,
    pub status: &'a str,
    pub replaced_by: Option<&'a str>,
    pub verification_url: &'a str,
    pub key_id: &'a str,
    pub payload_sha256: &'a str,
    /// Copies after the original, each marked COPY.
    pub copies: u8,
}

struct Fonts {
    latin: PdfFontHandle,
    cjk: PdfFontHandle,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
}

/// Approximate width in em, for wrapping: CJK glyphs are square, the rest about half an em.
fn em_width(text: &str) -> f32 {
    text.chars().map(|c| if is_cjk(c) { 1.0 } else { 0.55 }).sum()
}

fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
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

struct PageWriter<'a> {
    fonts: &'a Fonts,
    pages: Vec<PdfPage>,
    ops: Vec<Op>,
    y: f32,
    marks: Vec<(String, Rgb)>,
}

impl<'a> PageWriter<'a> {
    fn new(fonts: &'a Fonts, marks: Vec<(String, Rgb)>) -> Self {
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

    fn finish_page(&mut self) {
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

    fn line(&mut self, indent: f32, size: f32, text: &str) {
        for wrapped in wrap(text, size, Self::width() - 2.0 * MARGIN - indent) {
            self.ensure_room(size * 1.35);
            let y = self.y - size;
            self.text_at(MARGIN + indent, y, size, &wrapped);
            self.y -= size * 1.35;
        }
    }

    /// A trilingual label and its value.
    fn field(&mut self, label: &str, value: &str) {
        self.ensure_room(30.0);
        self.line(0.0, 7.5, label);
        self.line(12.0, 9.5, if value.is_empty() { "—" } else { value });
        self.y -= 3.0;
    }

    fn rule(&mut self) {
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
    fn footer(&mut self, lines: &[String], url: &str) {
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

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn party(value: &Value) -> String {
    [text(&value["name"]), text(&value["address"]), text(&value["country"])]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn phytosanitary_body(writer: &mut PageWriter, content: &Value) {
    let d = &content["description_of_consignment"];
    writer.field("From / Từ / 发自", &text(&content["from"]));
    writer.field("To / Gửi / 致", &text(&content["to"]));
    writer.rule();
    writer.line(0.0, 10.0, "I. Description of consignment / Mô tả lô hàng / 货物描述");
    writer.field(
        "Name and address of exporter / Tên và địa chỉ người xuất khẩu / 出口商名称及地址",
        &party(&d["exporter"]),
    );
    writer.field(
        "Declared name and address of consignee / Tên và địa chỉ người nhận / 收货人名称及地址",
        &party(&d["consignee"]),
    );
    let packages: Vec<String> = d["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| format!("{} {}", text(&p["number"]), text(&p["description"])))
        .collect();
    writer.field(
        "Number and description of packages / Số lượng và loại bao bì / 包装件数及种类",
        &packages.join("; "),
    );
    let marks = &d["distinguishing_marks"];
    let containers: Vec<String> = marks["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{} (seal {})", text(&c["number"]), text(&c["seal_number"])))
        .collect();
    writer.field(
        "Distinguishing marks / Ký mã hiệu / 标记",
        &format!(
            "{} | {} | {}",
            text(&marks["carton_label"]),
            text(&marks["pallet_marking"]),
            containers.join(", ")
        ),
    );
    let origin = &d["place_of_origin"];
    let codes = |key: &str| {
        origin[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect::<Vec<_>>()
            .join(", ")
    };
    writer.field(
        "Place of origin / Nơi sản xuất / 产地",
        &format!(
            "Viet Nam — orchards (PUC) {} — packing houses (PHC) {}",
            codes("orchards"),
            codes("packing_houses")
        ),
    );
    writer.field(
        "Declared means of conveyance / Phương tiện vận chuyển / 运输工具",
        &text(&d["means_of_conveyance"]),
    );
    writer.field(
        "Declared point of entry / Cửa khẩu nhập / 入境口岸",
        &text(&d["point_of_entry"]),
    );
    let quantity = &d["quantity"];
    writer.field(
        "Name of produce and quantity declared / Tên hàng và số lượng / 产品名称及数量",
        &format!(
            "{} — net weight {} kg, {} packages",
            text(&d["produce"]),
            text(&quantity["net_weight_kg"]),
            text(&quantity["packages"])
        ),
    );
    writer.field(
        "Botanical name of plants / Tên khoa học / 植物学名",
        &text(&d["botanical_name"]),
    );
    writer.rule();
    writer.line(0.0, 8.5, &text(&content["certifying_statement"]));
    writer.rule();
    writer.field(
        "II. Additional declaration / Khai báo bổ sung / 附加声明",
        &text(&content["additional_declaration"]),
    );
    let treatment = &content["treatment"];
    let treatment_text = if treatment.is_null() {
        String::new()
    } else {
        format!(
            "{} at {} °C for {} min; core {} °C",
            text(&treatment["type"]),
            text(&treatment["temperature_c"]),
            text(&treatment["duration_minutes"]),
            text(&treatment["core_temperature_c"])
        )
    };
    writer.field(
        "III. Disinfestation and/or disinfection treatment / Xử lý / 除害处理",
        &treatment_text,
    );
}

fn veterinary_body(writer: &mut PageWriter, content: &Value) {
    writer.field(
        "1. Compliance statement / Tuyên bố phù hợp / 符合性声明",
        &text(&content["1_compliance_statement"]),
    );
    let parties = &content["2_exporter_and_importer"];
    writer.field("2. Exporter / Người xuất khẩu / 出口商", &party(&parties["exporter"]));
    writer.field("   Importer / Người nhập khẩu / 进口商", &party(&parties["importer"]));
    let departure = &content["3_departure"];
    writer.field(
        "3. Departure date, port and means of transport / Ngày, cửa khẩu xuất và phương tiện / 启运日期、口岸及运输工具",
        &format!("{}, {}, {} → {}", text(&departure["date"]), text(&departure["port"]), text(&departure["means_of_transport"]), text(&departure["point_of_entry"])),
    );
    let animals = &content["4_animals"];
    let codes: Vec<String> = animals["identification_codes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    writer.field(
        "4. Number, species and identification codes / Số lượng, loài và mã số / 数量、种类及识别号",
        &format!(
            "{} × {}: {}",
            text(&animals["number"]),
            text(&animals["species"]),
            codes.join(", ")
        ),
    );
    let exams = &content["5_examinations_and_tests"];
    let clinical: Vec<String> = exams["clinical_examinations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{} {} ({})",
                text(&e["animal_code"]),
                text(&e["result"]),
                text(&e["date"])
            )
        })
        .collect();
    let tests: Vec<String> = exams["tests"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            format!(
                "{} {} by {} on {}: {}",
                text(&t["animal_code"]),
                text(&t["agent"]),
                text(&t["method"]),
                text(&t["sample_date"]),
                text(&t["result"])
            )
        })
        .collect();
    writer.field(
        "5. Clinical examination and tests / Khám lâm sàng và xét nghiệm / 临床检查及检测",
        &format!("{}\n{}", clinical.join("; "), tests.join("; ")),
    );
    let treatments: Vec<String> = content["6_treatments"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            format!(
                "{} {} ({}), {} at {}",
                text(&t["product"]),
                text(&t["dose"]),
                text(&t["manufacturer"]),
                text(&t["date"]),
                text(&t["place"])
            )
        })
        .collect();
    writer.field(
        "6. Treatments / Thuốc và hóa chất đã dùng / 驱虫、消毒及药物处理",
        &treatments.join("; "),
    );
    let issue = &content["7_issue"];
    writer.field(
        "7. Issue / Cấp / 签发",
        &format!(
            "{} — {} — {}",
            text(&issue["date_of_issue"]),
            text(&issue["veterinary_authority"]),
            text(&issue["quarantine_officer"])
        ),
    );
    let farms: Vec<String> = content["8_origin"]["farms"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {} ({}, VN)",
                text(&f["code"]),
                text(&f["name"]),
                text(&f["province"])
            )
        })
        .collect();
    writer.field(
        "8. Farm and place of origin / Trại và nơi xuất xứ / 养殖场及原产地",
        &farms.join("; "),
    );
    let vaccinations: Vec<String> = content["9_vaccinations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            format!(
                "{} ({}), {} at {}",
                text(&v["vaccine"]),
                text(&v["valid_until"]),
                text(&v["date"]),
                text(&v["place"])
            )
        })
        .collect();
    writer.field("9. Vaccinations / Tiêm phòng / 疫苗接种", &vaccinations.join("; "));
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

fn render_one(fonts: &Fonts, rendering: &Rendering, copy: bool) -> Vec<PdfPage> {
    let content = rendering.content;
    let veterinary = content["document"] == "veterinary_certificate";
    let mut writer = PageWriter::new(fonts, marks(rendering, copy));
    let title = if veterinary {
        "VETERINARY CERTIFICATE / GIẤY CHỨNG NHẬN KIỂM DỊCH ĐỘNG VẬT / 兽医卫生证书"
    } else {
        "PHYTOSANITARY CERTIFICATE / GIẤY CHỨNG NHẬN KIỂM DỊCH THỰC VẬT / 植物检疫证书"
    };
    writer.line(0.0, 12.5, title);
    writer.line(
        0.0,
        10.0,
        &format!(
            "No. / Số / 编号: {}    Status / Trạng thái / 状态: {}{}",
            text(&content["number"]),
            rendering.status.to_uppercase(),
            if copy {
                "    COPY / BẢN SAO / 副本"
            } else {
                "    ORIGINAL / BẢN CHÍNH / 正本"
            }
        ),
    );
    if let Some(replaced) = content["replaces"].as_str() {
        writer.line(
            0.0,
            9.0,
            &format!("Replaces certificate / Thay thế giấy chứng nhận / 替换证书 {replaced}"),
        );
    }
    writer.line(
        0.0,
        8.0,
        &format!(
            "Protocol / Nghị định thư / 议定书: {}",
            text(&content["protocol"]["title"])
        ),
    );
    writer.rule();
    if veterinary {
        veterinary_body(&mut writer, content);
    } else {
        phytosanitary_body(&mut writer, content);
    }
    let (authority, officer, place, date) = if veterinary {
        let issue = &content["7_issue"];
        (
            text(&issue["veterinary_authority"]),
            text(&issue["quarantine_officer"]),
            text(&issue["place_of_issue"]),
            text(&issue["date_of_issue"]),
        )
    } else {
        (
            text(&content["issuing_authority"]),
            text(&content["authorized_officer"]),
            text(&content["place_of_issue"]),
            text(&content["date_of_issue"]),
        )
    };
    let footer = [
        format!("Issuing authority / Cơ quan cấp / 签发机构: {authority}"),
        format!("Authorized officer / Cán bộ có thẩm quyền / 授权官员: {officer}"),
        format!("Place and date of issue / Nơi và ngày cấp / 签发地点及日期: {place}, {date}"),
        format!("Signed electronically (Ed25519), key {}", rendering.key_id),
        format!("SHA-256 {}", rendering.payload_sha256),
        "Verify / Xác minh / 验证: scan the QR code".to_owned(),
    ];
    writer.footer(&footer, rendering.verification_url);
    writer.finish_page();
    writer.pages
}

/// Renders the certificate; `None` if an embedded font cannot be read.
pub fn render(rendering: &Rendering) -> Option<Vec<u8>> {
    let mut document = PdfDocument::new(&format!("Certificate {}", text(&rendering.content["number"])));
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

    #[test]
    fn a_document_renders_with_both_fonts() {
        let content = serde_json::json!({
            "document": "phytosanitary_certificate", "number": "VN-PC-2026-000001",
            "description_of_consignment": {"consignee": {"name": "广西水果有限公司", "address": "Pingxiang"}},
            "protocol": {"title": "Fresh durian"}
        });
        let pdf = render(&Rendering {
            content: &content,
            status: "valid",
            replaced_by: None,
            verification_url: "http://127.0.0.1:8080/v1/verify/VN-PC-2026-000001",
            key_id: "k",
            payload_sha256: "00",
            copies: 2,
        })
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        if let Ok(path) = std::env::var("AQ_WRITE_SAMPLE_PDF") {
            std::fs::write(path, &pdf).unwrap();
        }
    }
}
