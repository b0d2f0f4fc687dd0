//! Certificate documents for people: the printable PDF. (The ePhyto XML and the QR code are
//! pure and live in `domain`.)

pub mod pdf;
