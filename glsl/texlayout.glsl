// Mirror of src/layout.ts. A layout is ivec4(rowsPerLine, segmentsPerRow, segmentWidth, height); for a one-layer
// texture `height` is passed as 2^22 so that the layer split folds to a shift. All operands are non-negative and
// below 2^24, so integer division is exact on every WebGL2 implementation (Firefox's highp int has 24 bits).

// Texel location (x, y, layer) of grid cell (row, col).
ivec3 texLoc(int row, int col, ivec4 L) {
  int line = (row / L.x) * L.y + col / L.z;
  return ivec3((row % L.x) * L.z + col % L.z, line % L.w, line / L.w);
}

// Location of column 0 of `row`, for layouts whose rows are not cut into segments: column c is then
// rowStart + ivec3(c, 0, 0).
ivec3 rowStart(int row, ivec4 L) {
  int line = row / L.x;
  return ivec3((row % L.x) * L.z, line % L.w, line / L.w);
}

// Grid cell (row, col) drawn at fragment `p` of layer `layer`.
ivec2 gridCell(ivec2 p, int layer, ivec4 L) {
  int line = layer * L.w + p.y;
  return ivec2((line / L.y) * L.x + p.x / L.z, (line % L.y) * L.z + p.x % L.z);
}
