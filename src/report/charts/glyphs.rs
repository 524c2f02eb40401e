//! PNG text placed where the font puts it.
//!
//! plotters' `ab_glyph` text drawing truncates each glyph's pen position to
//! a whole pixel and ignores its left side bearing, so letters drift a
//! pixel apart or together ("c rash", "1 0 PGs"). [`Glyphs`] wraps a
//! pixel backend and draws text itself: each glyph is positioned at its
//! fractional pen position (advances and kerning summed as reals) and
//! rasterised there by `ab_glyph`, which keeps the sub-pixel offset in the
//! coverage it computes. The baseline and the layout box are plotters'
//! own, so text sits where the chart's layout expects it. Everything else
//! is passed through to the wrapped backend.

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::DrawingBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use super::frame::DEJAVU_SANS;

/// A pixel backend whose text is drawn by [`Glyphs::draw_text`].
pub(super) struct Glyphs<B> {
    inner: B,
    font: FontRef<'static>,
}

impl<B> Glyphs<B> {
    pub(super) fn new(inner: B) -> Self {
        let font = FontRef::try_from_slice(DEJAVU_SANS).expect("the embedded DejaVu Sans parses");
        Glyphs { inner, font }
    }

    /// Calls `pixel(x, y, coverage)` for every pixel of `text` at `size`
    /// pixels, with the pen starting at x = 0 and the baseline at
    /// `size / 2`, where plotters puts it.
    fn rasterise(&self, text: &str, size: f32, mut pixel: impl FnMut(i32, i32, f32)) {
        let scale = PxScale::from(size);
        let scaled = self.font.as_scaled(scale);
        let mut pen = 0.0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, point(pen, size / 2.0));
            if let Some(outline) = self.font.outline_glyph(glyph) {
                let at = outline.px_bounds().min;
                outline.draw(|x, y, cover| {
                    pixel(at.x as i32 + x as i32, at.y as i32 + y as i32, cover)
                });
            }
            pen += scaled.h_advance(id);
            prev = Some(id);
        }
    }
}

impl<B: DrawingBackend> DrawingBackend for Glyphs<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    /// As plotters' own `draw_text` (anchor, rotation, clipping), with the
    /// glyphs from [`Glyphs::rasterise`].
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let turn = style.transform();
        let (w, h) = self.get_size();
        let mut pixels = Vec::new();
        self.rasterise(text, style.size() as f32, |x, y, cover| {
            let (x, y) = turn.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 && cover > 0.0 {
                pixels.push(((x, y), cover));
            }
        });
        for (at, cover) in pixels {
            let ink = BackendColor {
                alpha: color.alpha * f64::from(cover.min(1.0)),
                rgb: color.rgb,
            };
            self.inner.draw_pixel(at, ink)?;
        }
        Ok(())
    }
}
