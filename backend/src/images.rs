//! Uploaded images (evidence photos, news covers): accepted by content (JPEG, PNG, WebP — not by name), bounded in bytes, then in pixels *and in
//! decoded bytes* read from the header before anything is decoded (a decompression bomb declares its size up
//! front: a 309 KB PNG of 6300 × 6300 16-bit RGBA pixels decodes to 317 MB), decoded with allocation limits
//! within the instance's [`DecodeBudget`] (a few decodes at once, their pixels bounded together), and
//! re-encoded as a JPEG of at most 1600 px from the pixels alone, so no EXIF (place, device, time) survives in
//! the copy ever shown. The original is kept for staff with its SHA-256.

use domain::cases::{MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS};
use domain::{AppError, ErrCode};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

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
/// The most pixel memory one decode may need, from the header: 40 Mpx at 4 bytes (8-bit RGBA) — so a phone's
/// 48 Mpx RGB photo passes no more than a 16-bit RGBA picture of 20 Mpx.
pub const MAX_DECODED_BYTES: u64 = 160 * 1024 * 1024;
/// Besides the decoded pixels, a decode and re-encode needs a working copy of at most 1600² RGB pixels and the
/// encoder's buffers.
const WORKING_BYTES: u64 = 12 * 1024 * 1024;
const FIELD: &str = "photos";

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(20_000);
    l.max_image_height = Some(20_000);
    l.max_alloc = Some(MAX_DECODED_BYTES + WORKING_BYTES);
    l
}

/// What a photo's header declares, read without decoding its pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub format: ImageFormat,
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
    /// Bytes the decoded pixels take: width × height × bytes per pixel of the declared colour type.
    pub decoded_bytes: u64,
}

impl Header {
    /// Memory a decode of this photo may use in all, in whole MiB (the budget's unit).
    pub fn cost_mib(&self) -> u32 {
        (self.decoded_bytes + WORKING_BYTES).div_ceil(1024 * 1024) as u32
    }
}

/// The cheap checks, in order: empty 400 `required`; too large 413; not an image we take 415; a header that
/// cannot be read, no pixels, too many pixels or too many decoded bytes (bit depth counts) 400 `invalid_value`.
/// Every refusal names `photos`. Reads the header only.
pub fn inspect(bytes: &[u8]) -> Result<Header, AppError> {
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
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let decoder = reader.into_decoder().map_err(|_| AppError::field(ErrCode::InvalidValue, FIELD))?;
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    let decoded_bytes = pixels.saturating_mul(u64::from(decoder.color_type().bytes_per_pixel()));
    if pixels == 0 || pixels > MAX_PHOTO_PIXELS || decoded_bytes > MAX_DECODED_BYTES {
        return Err(AppError::field(ErrCode::InvalidValue, FIELD));
    }
    Ok(Header { format, media_type, width, height, decoded_bytes })
}

/// Checks and prepares one uploaded photo ([`inspect`], then decode and re-encode). CPU- and memory-heavy: call
/// it from a blocking task, within a [`DecodeBudget`] (as [`DecodeBudget::process_all`] does).
pub fn process(bytes: &[u8]) -> Result<Photo, AppError> {
    let h = inspect(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), h.format);
    reader.limits(limits());
    let img = reader.decode().map_err(|_| AppError::field(ErrCode::InvalidValue, FIELD))?;
    let img = if h.width.max(h.height) > SHOWN_MAX_SIDE { img.thumbnail(SHOWN_MAX_SIDE, SHOWN_MAX_SIDE) } else { img };
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    drop(img);
    let mut shown = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut shown, 82)
        .encode_image(&rgb)
        .map_err(|e| AppError::internal(format!("re-encoding a photo: {e}")))?;
    Ok(Photo {
        original: bytes.to_vec(),
        media_type: h.media_type,
        shown,
        width: rgb.width(),
        height: rgb.height(),
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

/// How many photos this instance decodes at once and how much pixel memory they may hold together. A decode
/// takes a slot and its cost in MiB ([`Header::cost_mib`]) before it starts; a photo that cannot get both within
/// `wait` is refused 503 `photos_busy` with `Retry-After`, so a flood of uploads queues for a bounded time and
/// never multiplies memory. Shared by evidence photos and news covers.
#[derive(Debug)]
pub struct DecodeBudget {
    slots: Arc<Semaphore>,
    memory_mib: Arc<Semaphore>,
    total_mib: u32,
    /// MiB of upload bodies being read at once (a case's body is read whole before its photos are checked).
    uploads_mib: Arc<Semaphore>,
    wait: Duration,
    /// Decodes begun since start (for tests and the console: a refused bomb never begins one).
    started: std::sync::atomic::AtomicU64,
}

/// The largest upload a case may be, in MiB: five photos at their limit and the text.
const MAX_UPLOAD_MIB: u32 = ((domain::cases::MAX_PHOTOS * MAX_PHOTO_BYTES) / (1024 * 1024) + 1) as u32;

impl DecodeBudget {
    pub fn new(slots: usize, memory_mib: u32, wait: Duration) -> DecodeBudget {
        // One photo at its largest must always fit, or it could never be decoded.
        let total_mib = memory_mib.max((MAX_DECODED_BYTES + WORKING_BYTES).div_ceil(1024 * 1024) as u32);
        DecodeBudget {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            memory_mib: Arc::new(Semaphore::new(total_mib as usize)),
            total_mib,
            uploads_mib: Arc::new(Semaphore::new(512)),
            wait,
            started: Default::default(),
        }
    }

    /// Sized from the machine: one decode per core, 256 MiB of pixels in all, 10 s of queueing at most.
    pub fn for_machine() -> DecodeBudget {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        DecodeBudget::new(cores, 256, Duration::from_secs(10))
    }

    /// Reserves the memory of an upload about to be read: its declared length, or the largest a case may be when
    /// it declares none. 512 MiB of uploads are read at once per instance; past that a request waits up to the
    /// budget's wait, then is refused 503 `photos_busy` with `Retry-After`.
    pub async fn reserve_upload(
        &self,
        declared_len: Option<u64>,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        let mib = declared_len.map_or(MAX_UPLOAD_MIB, |n| (n.div_ceil(1024 * 1024) as u32).clamp(1, MAX_UPLOAD_MIB));
        match tokio::time::timeout(self.wait, self.uploads_mib.clone().acquire_many_owned(mib)).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError { code: ErrCode::PhotosBusy, field: Some(FIELD.to_owned()), retry_after: Some(5) }),
        }
    }

    /// MiB of pixel memory not in use (for tests and the console).
    pub fn free_mib(&self) -> u32 {
        self.memory_mib.available_permits() as u32
    }

    pub fn total_mib(&self) -> u32 {
        self.total_mib
    }

    /// How many decodes have begun on this instance.
    pub fn decodes_started(&self) -> u64 {
        self.started.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Inspects every photo first (nothing is decoded if one is refused), then decodes them one after another
    /// within the budget.
    pub async fn process_all(self: &Arc<Self>, raw: Vec<bytes::Bytes>) -> Result<Vec<Photo>, AppError> {
        let headers = raw.iter().map(|b| inspect(b)).collect::<Result<Vec<_>, _>>()?;
        let mut photos = Vec::with_capacity(raw.len());
        for (bytes, h) in raw.into_iter().zip(headers) {
            photos.push(self.process_one(bytes, h.cost_mib()).await?);
        }
        Ok(photos)
    }

    async fn process_one(&self, bytes: bytes::Bytes, cost_mib: u32) -> Result<Photo, AppError> {
        let busy = || AppError { code: ErrCode::PhotosBusy, field: Some(FIELD.to_owned()), retry_after: Some(5) };
        let permits = tokio::time::timeout(self.wait, async {
            let slot = self.slots.clone().acquire_owned().await;
            let memory = self.memory_mib.clone().acquire_many_owned(cost_mib.min(self.total_mib)).await;
            (slot, memory)
        })
        .await;
        let Ok((Ok(slot), Ok(memory))) = permits else { return Err(busy()) };
        self.started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // The permits move into the blocking task: held until the decode has finished, even if this request is
        // dropped meanwhile (a client hanging up does not free memory that is still in use).
        tokio::task::spawn_blocking(move || {
            let photo = process(&bytes);
            drop((slot, memory));
            photo
        })
        .await
        .map_err(AppError::internal)?
    }
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

    #[test]
    fn bit_depth_counts_before_decoding() {
        // 4,000 × 4,000 = 16 Mpx (under the pixel bound) but 16-bit RGBA: 128 MB of pixels — allowed; at
        // 5,000 × 5,000 it is 200 MB: refused from the header, before any decoding.
        let ok = inspect(&crate::testing::bomb_png(4_000, 4_000)).unwrap();
        assert_eq!(ok.decoded_bytes, 4_000 * 4_000 * 8);
        assert!(ok.cost_mib() >= 128);
        let bomb = crate::testing::bomb_png(5_000, 5_000);
        assert!(bomb.len() < 400_000, "a small file: {}", bomb.len());
        assert_eq!(inspect(&bomb).unwrap_err().code, ErrCode::InvalidValue);
        // The same pixel count in 8-bit RGB is an ordinary photo's size.
        let h = inspect(&sample_png(50, 40, [1, 2, 3])).unwrap();
        assert_eq!((h.width, h.height, h.decoded_bytes), (50, 40, 50 * 40 * 3));
    }

    #[tokio::test]
    async fn the_budget_refuses_when_busy_and_frees_what_it_took() {
        // One slot, and a queue of 200 ms: a second decode that cannot start in time is refused 503.
        let budget = Arc::new(DecodeBudget::new(1, 256, Duration::from_millis(200)));
        let big = bytes::Bytes::from(crate::testing::bomb_png(4_000, 4_000));
        let total = budget.free_mib();
        let (a, b) = tokio::join!(budget.process_all(vec![big.clone()]), async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            budget.process_all(vec![bytes::Bytes::from(sample_png(8, 8, [0, 0, 0]))]).await
        });
        assert!(a.is_ok());
        let e = b.unwrap_err();
        assert_eq!((e.code, e.field.as_deref(), e.retry_after), (ErrCode::PhotosBusy, Some("photos"), Some(5)));
        assert_eq!(budget.free_mib(), total, "every permit is given back");
        // A refused photo among good ones: nothing is decoded at all.
        let mixed = vec![bytes::Bytes::from(sample_png(8, 8, [0, 0, 0])), bytes::Bytes::from_static(b"GIF89a....")];
        assert_eq!(budget.process_all(mixed).await.unwrap_err().code, ErrCode::UnsupportedMediaType);
    }
}
