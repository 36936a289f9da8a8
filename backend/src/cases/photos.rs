//! Evidence photos: accepted by content (JPEG, PNG, WebP — not by name), bounded in bytes and in pixels before
//! anything is decoded (a decompression bomb declares its size up front), decoded with allocation limits, and
//! re-encoded as a JPEG of at most 1600 px from the pixels alone, so no EXIF (place, device, time) survives in
//! the copy ever shown. The original is kept for staff with its SHA-256.

use domain::cases::{MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS};
use domain::{AppError, ErrCode};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// A photo ready to store.
#[derive(Clone, Debug)]
pub struct Photo {
    pub original: Vec<u8>,
    pub media_type: &'static str,
    /// Re-encoded JPEG without metadata.
    pub shown: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub sha256: String,
}

const SHOWN_MAX_SIDE: u32 = 1600;

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(20_000);
    l.max_image_height = Some(20_000);
    l.max_alloc = Some(512 * 1024 * 1024);
    l
}

/// Checks and prepares one uploaded photo. Every refusal names `photos`: empty 400 `required`; too large 413;
/// not an image we take 415; too many pixels or undecodable 400 `invalid_value`. CPU-heavy: call it from a
/// blocking task.
pub fn process(bytes: &[u8]) -> Result<Photo, AppError> {
    const FIELD: &str = "photos";
    if bytes.is_empty() {
        return Err(AppError::field(ErrCode::Required, FIELD));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(AppError::field(ErrCode::PayloadTooLarge, FIELD));
    }
    let format = image::guess_format(bytes).map_err(|_| AppError::field(ErrCode::UnsupportedMediaType, FIELD))?;
    let media_type = match format {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        _ => return Err(AppError::field(ErrCode::UnsupportedMediaType, FIELD)),
    };
    let reader = |b: &[u8]| {
        let mut r = ImageReader::with_format(Cursor::new(b.to_vec()), format);
        r.limits(limits());
        r
    };
    let (width, height) = reader(bytes).into_dimensions().map_err(|_| AppError::field(ErrCode::InvalidValue, FIELD))?;
    if u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS || width == 0 || height == 0 {
        return Err(AppError::field(ErrCode::InvalidValue, FIELD));
    }
    let img = reader(bytes).decode().map_err(|_| AppError::field(ErrCode::InvalidValue, FIELD))?;
    let img = if width.max(height) > SHOWN_MAX_SIDE { img.thumbnail(SHOWN_MAX_SIDE, SHOWN_MAX_SIDE) } else { img };
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    let mut shown = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut shown, 82)
        .encode_image(&rgb)
        .map_err(|e| AppError::internal(format!("re-encoding a photo: {e}")))?;
    Ok(Photo {
        original: bytes.to_vec(),
        media_type,
        shown,
        width: rgb.width(),
        height: rgb.height(),
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

/// A small PNG for tests and demo data: `w`×`h` pixels of one colour.
pub fn sample_png(w: u32, h: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb(rgb));
    let mut out = Cursor::new(Vec::new());
    let _ = DynamicImage::ImageRgb8(img).write_to(&mut out, ImageFormat::Png);
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_taken_by_content_and_reencoded_without_metadata() {
        let png = sample_png(40, 30, [200, 30, 30]);
        let p = process(&png).unwrap();
        assert_eq!((p.media_type, p.width, p.height), ("image/png", 40, 30));
        assert!(p.shown.starts_with(&[0xFF, 0xD8]), "a JPEG");
        // A JPEG carrying an EXIF block: the copy shown has none.
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&DynamicImage::ImageRgb8(image::RgbImage::new(8, 8)))
            .unwrap();
        let exif = b"\xFF\xE1\x00\x1CExif\x00\x00GPS 30.67N 104.06E secret!";
        let with_exif = [&jpeg[..2], &exif[..], &jpeg[2..]].concat();
        let p = process(&with_exif).unwrap();
        assert!(!p.shown.windows(4).any(|w| w == b"Exif"));
        assert!(p.original.windows(4).any(|w| w == b"Exif"), "the original is kept as received");
        let code = |b: &[u8]| process(b).unwrap_err().code;
        assert_eq!(code(b""), ErrCode::Required);
        assert_eq!(code(b"%PDF-1.4 not a photo, renamed .jpg"), ErrCode::UnsupportedMediaType);
        assert_eq!(code(b"GIF89a......"), ErrCode::UnsupportedMediaType);
        assert_eq!(code(&vec![0u8; MAX_PHOTO_BYTES + 1]), ErrCode::PayloadTooLarge);
        // A PNG header declaring 100,000 × 100,000 pixels: refused before any decoding.
        let mut bomb = png.clone();
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert_eq!(code(&bomb), ErrCode::InvalidValue);
        // Truncated data.
        assert_eq!(code(&png[..png.len() / 2]), ErrCode::InvalidValue);
    }
}
