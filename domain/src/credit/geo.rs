//! 附近 ("near me"): points, great-circle distance, the bounding box a near query prefilters with, the `near` and
//! `radius` parameters, and the reference points of the districts and streets the no-JavaScript pick offers.

use super::District;
use crate::error::{AppError, ErrCode};

/// Mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// The largest radius a near query may ask for, metres.
pub const MAX_RADIUS_M: f64 = 20_000.0;
/// The radius when none is given, metres.
pub const DEFAULT_RADIUS_M: f64 = 2_000.0;

/// A point in WGS-84 degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

impl Point {
    /// The point `north_m` metres north and `east_m` metres east of this one (small offsets, flat-earth).
    pub fn offset(self, north_m: f64, east_m: f64) -> Point {
        let dlat = (north_m / EARTH_RADIUS_M).to_degrees();
        let dlng = (east_m / (EARTH_RADIUS_M * self.lat.to_radians().cos().max(1e-9))).to_degrees();
        Point { lat: self.lat + dlat, lng: self.lng + dlng }
    }
}

/// Great-circle distance in metres (haversine).
pub fn distance_m(a: Point, b: Point) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let dp = p2 - p1;
    let dl = (b.lng - a.lng).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The latitude/longitude box holding every point within `radius_m` of a centre: what SQL prefilters with
/// through the `(lat, lng)` index before the exact distance is computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lng: f64,
    pub max_lng: f64,
}

impl BoundingBox {
    pub fn around(c: Point, radius_m: f64) -> BoundingBox {
        let dlat = (radius_m / EARTH_RADIUS_M).to_degrees();
        let (min_lat, max_lat) = (c.lat - dlat, c.lat + dlat);
        // The widest longitude span is at the box's latitude farthest from the equator; near a pole (or across
        // it) every longitude qualifies.
        let widest = min_lat.abs().max(max_lat.abs());
        let (min_lng, max_lng) = if widest >= 89.9 {
            (-180.0, 180.0)
        } else {
            let dlng = (radius_m / (EARTH_RADIUS_M * widest.to_radians().cos())).to_degrees();
            // The antimeridian is not wrapped (Mianyang is far from it): the box is clipped to [-180, 180].
            ((c.lng - dlng).max(-180.0), (c.lng + dlng).min(180.0))
        };
        BoundingBox { min_lat: min_lat.max(-90.0), max_lat: max_lat.min(90.0), min_lng, max_lng }
    }

    pub fn contains(&self, p: Point) -> bool {
        (self.min_lat..=self.max_lat).contains(&p.lat) && (self.min_lng..=self.max_lng).contains(&p.lng)
    }
}

/// A validated near query: a centre and a radius in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Near {
    pub at: Point,
    pub radius_m: f64,
}

impl Near {
    /// Parses `near=lat,lng` and `radius` (metres, at most [`MAX_RADIUS_M`], default [`DEFAULT_RADIUS_M`]).
    /// Empty means absent; a radius without a centre is an error naming `radius`.
    pub fn parse(near: Option<&str>, radius: Option<&str>) -> Result<Option<Near>, AppError> {
        // A radius present but empty is a mistake worth naming (it is never in a form); an empty `near` is none.
        let radius_m = match radius {
            None => None,
            Some(r) => {
                let bad = || AppError::field(ErrCode::InvalidValue, "radius");
                if r.is_empty() || r.len() > 20 {
                    return Err(bad());
                }
                let v: f64 = r.parse().map_err(|_| bad())?;
                if !v.is_finite() || v <= 0.0 || v > MAX_RADIUS_M {
                    return Err(bad());
                }
                Some(v)
            }
        };
        let Some(near) = near.filter(|n| !n.is_empty()) else {
            return match radius_m {
                Some(_) => Err(AppError::field(ErrCode::InvalidValue, "radius")),
                None => Ok(None),
            };
        };
        let at = parse_point(near).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "near"))?;
        Ok(Some(Near { at, radius_m: radius_m.unwrap_or(DEFAULT_RADIUS_M) }))
    }

    /// The `near` parameter for this centre (six decimals: ~0.1 m).
    pub fn param(&self) -> String {
        format!("{:.6},{:.6}", self.at.lat, self.at.lng)
    }
}

/// `lat,lng` in plain decimal degrees without spaces (what the OpenAPI pattern states), latitude in [-90, 90], longitude in [-180, 180].
fn parse_point(s: &str) -> Option<Point> {
    if s.len() > 60 {
        return None;
    }
    let (lat, lng) = s.split_once(',')?;
    // Plain decimals only (`-12.5`), as the OpenAPI pattern states: no exponents, signs or `inf`.
    let num = |t: &str| {
        let digits = t.strip_prefix('-').unwrap_or(t);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
        let plain = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        (plain(int) && plain(frac)).then(|| t.parse::<f64>().ok()).flatten()
    };
    let (lat, lng) = (num(lat)?, num(lng)?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng)).then_some(Point { lat, lng })
}

/// The streets of the demo registry's addresses; each district has one reference point per street
/// ([`street_point`]), which the no-JavaScript pick of 附近 searches around. Append, never reorder: the demo
/// seed picks streets by position.
pub const STREETS: &[&str] = &[
    "临园路",
    "涪城路",
    "剑南路",
    "御营街",
    "长虹大道",
    "跃进路",
    "火炬西街",
    "科创园路",
    "飞云大道",
    "绵兴路",
    "安昌路",
    "人民路",
    "解放街",
    "新华街",
    "北川路",
    "富乐路",
    "东街",
    "西街",
    "南街",
    "北街",
];

/// The centre of a district or zone (approximate, around Mianyang 31.46N 104.68E) and its spread in metres:
/// the demo places the district's streets within the spread.
pub fn district_centre(d: District) -> (Point, f64) {
    let (lat, lng, spread) = match d {
        District::Fucheng => (31.4600, 104.6900, 2_500.0),
        District::Youxian => (31.4750, 104.7700, 2_500.0),
        District::Anzhou => (31.5350, 104.5650, 2_500.0),
        District::Jiangyou => (31.7800, 104.7450, 3_000.0),
        District::Santai => (31.0950, 105.0900, 3_000.0),
        District::Yanting => (31.2100, 105.3900, 2_500.0),
        District::Zitong => (31.6400, 105.1650, 2_500.0),
        District::Beichuan => (31.6150, 104.4600, 2_000.0),
        District::Pingwu => (32.4100, 104.5300, 2_000.0),
        District::HiTechZone => (31.4350, 104.6300, 2_000.0),
        District::EconomicZone => (31.4150, 104.7400, 2_000.0),
        District::ScienceCity => (31.5700, 104.6500, 2_000.0),
    };
    (Point { lat, lng }, spread)
}

/// Where a street of a district is: the streets are laid out on a sunflower spiral inside the district's spread,
/// so every street has its own point and neighbouring streets are a few hundred metres apart.
pub fn street_point(d: District, street: usize) -> Point {
    let (c, spread) = district_centre(d);
    let n = STREETS.len() as f64;
    let r = spread * ((street as f64 + 0.5) / n).sqrt();
    let angle = street as f64 * 2.399_963_229_728_653; // the golden angle
    c.offset(r * angle.cos(), r * angle.sin())
}

/// The position of a street name in [`STREETS`].
pub fn street_index(name: &str) -> Option<usize> {
    STREETS.iter().position(|s| *s == name.trim())
}

/// The point the no-JavaScript pick stands for: a district and one of its streets (400 naming `street` for an
/// unknown street, `district` for an unknown district).
pub fn pick_point(district: &str, street: &str) -> Result<Point, AppError> {
    let d = District::parse(district.trim()).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "district"))?;
    let s = street_index(street).ok_or_else(|| AppError::field(ErrCode::InvalidValue, "street"))?;
    Ok(street_point(d, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIANYANG: Point = Point { lat: 31.46, lng: 104.68 };

    #[test]
    fn distance_matches_known_values() {
        assert_eq!(distance_m(MIANYANG, MIANYANG), 0.0);
        // One degree of latitude is ~111.2 km on the mean sphere.
        let d = distance_m(Point { lat: 0.0, lng: 0.0 }, Point { lat: 1.0, lng: 0.0 });
        assert!((d - 111_195.0).abs() < 5.0, "{d}");
        // Mianyang to Chengdu (30.657N 104.066E) is about 105 km.
        let d = distance_m(MIANYANG, Point { lat: 30.657, lng: 104.066 });
        assert!((100_000.0..110_000.0).contains(&d), "{d}");
        // Symmetric, and antipodes are half the circumference.
        let other = Point { lat: 31.5, lng: 104.7 };
        assert_eq!(distance_m(MIANYANG, other), distance_m(other, MIANYANG));
        let half = distance_m(Point { lat: 0.0, lng: 0.0 }, Point { lat: 0.0, lng: 180.0 });
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1.0);
    }

    #[test]
    fn offsets_are_the_distances_they_say() {
        for (n, e) in [(1000.0, 0.0), (0.0, 1000.0), (-700.0, 700.0), (0.0, -20_000.0)] {
            let d = distance_m(MIANYANG, MIANYANG.offset(n, e));
            let want = f64::hypot(n, e);
            assert!((d - want).abs() < want * 0.002, "{n},{e}: {d}");
        }
    }

    #[test]
    fn the_bounding_box_holds_the_whole_circle_and_little_more() {
        for c in
            [MIANYANG, Point { lat: 0.0, lng: 0.0 }, Point { lat: -60.0, lng: 10.0 }, Point { lat: 89.95, lng: 0.0 }]
        {
            for r in [1.0, 2_000.0, 20_000.0] {
                let b = BoundingBox::around(c, r);
                for i in 0..36 {
                    let a = (i as f64 * 10.0).to_radians();
                    // Just inside the circle, in every direction.
                    let p = c.offset(r * 0.999 * a.cos(), r * 0.999 * a.sin());
                    if p.lat.abs() <= 90.0 && p.lng.abs() <= 180.0 && distance_m(c, p) <= r {
                        assert!(b.contains(p), "{c:?} r={r}: {p:?} outside {b:?}");
                    }
                }
                // Not much more: a point well beyond the radius due north is outside.
                if c.lat < 89.0 {
                    assert!(!b.contains(c.offset(r * 1.01, 0.0)));
                }
            }
        }
        let polar = BoundingBox::around(Point { lat: 89.95, lng: 0.0 }, 20_000.0);
        assert_eq!((polar.min_lng, polar.max_lng, polar.max_lat), (-180.0, 180.0, 90.0));
    }

    #[test]
    fn near_and_radius_are_parsed_at_their_edges() {
        let ok = |n: &str, r: Option<&str>| Near::parse(Some(n), r).unwrap().unwrap();
        assert_eq!(ok("31.46,104.68", None), Near { at: MIANYANG, radius_m: DEFAULT_RADIUS_M });
        assert_eq!(ok("31.46,104.68", Some("20000")).radius_m, 20_000.0);
        assert_eq!(ok("90,180", Some("0.5")).at, Point { lat: 90.0, lng: 180.0 });
        assert_eq!(ok("-90,-180", Some("1")).at, Point { lat: -90.0, lng: -180.0 });
        assert_eq!(Near::parse(None, None).unwrap(), None);
        assert_eq!(Near::parse(Some(""), None).unwrap(), None);
        assert_eq!(ok("-0.5,0", None).at, Point { lat: -0.5, lng: 0.0 });
        let field = |n: Option<&str>, r: Option<&str>| Near::parse(n, r).unwrap_err().field;
        for bad in [
            "90.0001,0",
            "0,180.5",
            "-91,0",
            "31.46",
            "31.46,",
            "a,b",
            "NaN,1",
            "inf,1",
            "1,2,3",
            "1;2",
            "1e1,0",
            "+1,0",
            ".5,0",
            "1.,0",
            "--1,0",
        ] {
            assert_eq!(field(Some(bad), None).as_deref(), Some("near"), "{bad}");
        }
        for bad in ["20000.1", "0", "-5", "abc", "NaN", "inf", "1e9", "", " ", " 5"] {
            assert_eq!(field(Some("31.46,104.68"), Some(bad)).as_deref(), Some("radius"), "{bad}");
        }
        assert_eq!(field(None, Some("500")).as_deref(), Some("radius"), "a radius without a centre");
        assert_eq!(ok("31.46,104.68", None).param(), "31.460000,104.680000");
    }

    #[test]
    fn every_street_lies_inside_its_district_and_apart_from_the_others() {
        for &d in District::ALL {
            let (c, spread) = district_centre(d);
            for i in 0..STREETS.len() {
                let p = street_point(d, i);
                assert!(distance_m(c, p) <= spread + 1.0);
                for j in 0..i {
                    assert!(distance_m(p, street_point(d, j)) > 100.0, "{d:?} {i} {j}");
                }
            }
        }
        assert_eq!(pick_point("涪城区", "临园路").unwrap(), street_point(District::Fucheng, 0));
        assert_eq!(pick_point("北京市", "临园路").unwrap_err().field.as_deref(), Some("district"));
        assert_eq!(pick_point("涪城区", "长安街").unwrap_err().field.as_deref(), Some("street"));
    }
}
