// Mirror of src/layout.ts. A layout is ivec4(rowsPerLine, segmentsPerRow, segmentWidth, height); all operands are
// non-negative and below 2^24, so integer division is exact on every WebGL2 implementation.

// Texel location (x, y, layer) of grid cell (row, col).
ivec3 texLoc(int row, int col, ivec4 L) {
  int line = (row / L.x) * L.y + col / L.z;
  return ivec3((row % L.x) * L.z + col % L.z, line % L.w, line / L.w);
}

// Grid cell (row, col) drawn at fragment `p` of layer `layer`.
ivec2 gridCell(ivec2 p, int layer, ivec4 L) {
  int line = layer * L.w + p.y;
  return ivec2((line / L.y) * L.x + p.x / L.z, (line % L.y) * L.z + p.x % L.z);
}
