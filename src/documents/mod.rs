//! Certificate documents for people: the printable PDF and the verification page a QR code
//! opens. (The ePhyto XML and the QR code are pure and live in `domain`.)

pub mod pdf;
pub mod verification_page;
pub mod wording;
