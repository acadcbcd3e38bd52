// A QR code of a text, drawn as SVG: Theme.QR.svg(text), Theme.QR.matrix(text).
// ISO/IEC 18004: byte mode (UTF-8), error correction level M (15% of the code may be lost),
// the smallest version (1 to 40) that holds the text, Reed-Solomon codes over GF(256),
// the mask of lowest penalty. Written for this project after the standard and Project
// Nayuki's public description of it; no network, no library. Also runs in Node.
'use strict';
(function (root) {
  const Theme = root.Theme = root.Theme || {};
  // Level M, by version (index 0 unused)
  const ECC_PER_BLOCK = [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26,
    26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28
  ];
  const BLOCKS = [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20,
    21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49
  ];
  const FORMAT_M = 0; // the two bits of level M in the format information

  function rawModules(ver) { // modules left for data and error correction
    let n = (16 * ver + 128) * ver + 64;
    if (ver >= 2) {
      const align = Math.floor(ver / 7) + 2;
      n -= (25 * align - 10) * align - 55;
      if (ver >= 7) {
        n -= 36;
      }
    }
    return n;
  }

  function dataCodewords(ver) {
    return Math.floor(rawModules(ver) / 8) - ECC_PER_BLOCK[ver] * BLOCKS[ver];
  }

  function gfMul(x, y) {
    let z = 0;
    for (let i = 7; i >= 0; i--) {
      z = (z << 1) ^ ((z >>> 7) * 0x11D);
      z ^= ((y >>> i) & 1) * x;
    }
    return z;
  }

  function divisor(degree) {
    const result = new Array(degree).fill(0);
    result[degree - 1] = 1;
    let r = 1;
    for (let i = 0; i < degree; i++) {
      for (let j = 0; j < degree; j++) {
        result[j] = gfMul(result[j], r);
        if (j + 1 < degree) {
          result[j] ^= result[j + 1];
        }
      }
      r = gfMul(r, 0x02);
    }
    return result;
  }

  function remainder(data, div) {
    const result = new Array(div.length).fill(0);
    data.forEach(function (b) {
      const factor = b ^ result.shift();
      result.push(0);
      div.forEach(function (coef, i) {
        result[i] ^= gfMul(coef, factor);
      });
    });
    return result;
  }

  function alignmentPositions(ver, size) {
    if (ver === 1) {
      return [];
    }
    const count = Math.floor(ver / 7) + 2;
    const step = ver === 32 ? 26 : Math.ceil((ver * 4 + 4) / (count * 2 - 2)) * 2;
    const result = [6];
    for (let pos = size - 7; result.length < count; pos -= step) {
      result.splice(1, 0, pos);
    }
    return result;
  }

  function codewords(bytes) {
    let ver = 1;
    while (ver <= 40 && 4 + (ver < 10 ? 8 : 16) + 8 * bytes.length > dataCodewords(ver) * 8) {
      ver++;
    }
    if (ver > 40) {
      throw new RangeError('text too long for a QR code');
    }
    const bits = [];
    const put = function (value, n) {
      for (let i = n - 1; i >= 0; i--) {
        bits.push((value >>> i) & 1);
      }
    };
    put(4, 4);
    put(bytes.length, ver < 10 ? 8 : 16);
    bytes.forEach(b => put(b, 8));
    const capacity = dataCodewords(ver) * 8;
    put(0, Math.min(4, capacity - bits.length));
    put(0, (8 - bits.length % 8) % 8);
    for (let pad = 0xEC; bits.length < capacity; pad ^= 0xEC ^ 0x11) {
      put(pad, 8);
    }
    const data = [];
    for (let i = 0; i < bits.length; i += 8) {
      data.push(bits.slice(i, i + 8).reduce((a, b) => a << 1 | b, 0));
    }
    // blocks, each with its error correction, then interleaved
    const blocks = BLOCKS[ver],
      eccLen = ECC_PER_BLOCK[ver];
    const raw = Math.floor(rawModules(ver) / 8),
      shortBlocks = blocks - raw % blocks;
    const shortLen = Math.floor(raw / blocks),
      div = divisor(eccLen),
      made = [];
    for (let i = 0, k = 0; i < blocks; i++) {
      const part = data.slice(k, k + shortLen - eccLen + (i < shortBlocks ? 0 : 1));
      k += part.length;
      const ecc = remainder(part, div);
      if (i < shortBlocks) {
        part.push(0);
      }
      made.push(part.concat(ecc));
    }
    const out = [];
    for (let i = 0; i < made[0].length; i++) {
      made.forEach(function (block, j) {
        if (i !== shortLen - eccLen || j >= shortBlocks) {
          out.push(block[i]);
        }
      });
    }
    return {
      ver: ver,
      words: out
    };
  }

  const MASKS = [
    (x, y) => (x + y) % 2 === 0,
    (x, y) => y % 2 === 0,
    (x) => x % 3 === 0,
    (x, y) => (x + y) % 3 === 0,
    (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
    (x, y) => x * y % 2 + x * y % 3 === 0,
    (x, y) => (x * y % 2 + x * y % 3) % 2 === 0,
    (x, y) => ((x + y) % 2 + x * y % 3) % 2 === 0
  ];

  function penalty(m) {
    const size = m.length;
    let score = 0,
      dark = 0;
    const line = (get) => { // runs of five or more, and finder-like 1:1:3:1:1 with light beside
      let total = 0;
      for (let a = 0; a < size; a++) {
        let run = 1;
        for (let b = 1; b <= size; b++) {
          if (b < size && get(a, b) === get(a, b - 1)) {
            run++;
          } else {
            if (run >= 5) {
              total += run - 2;
            }
            run = 1;
          }
        }
        for (let b = 0; b + 7 <= size; b++) {
          const core = [1, 0, 1, 1, 1, 0, 1].every((v, k) => get(a, b + k) === !!v);
          if (!core) {
            continue;
          }
          const light = (from, to) => {
            for (let k = from; k < to; k++) {
              if (k >= 0 && k < size && get(a, k)) {
                return false;
              }
            }
            return true;
          };
          if (light(b - 4, b) || light(b + 7, b + 11)) {
            total += 40;
          }
        }
      }
      return total;
    };
    score += line((a, b) => m[a][b]) + line((a, b) => m[b][a]);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        dark += m[y][x] ? 1 : 0;
        if (x + 1 < size && y + 1 < size && m[y][x] === m[y][x + 1] && m[y][x] === m[y + 1][x] &&
          m[y][x] === m[y + 1][x + 1]) {
          score += 3;
        }
      }
    }
    const k = Math.ceil(Math.abs(dark * 20 - size * size * 10) / (size * size)) - 1;
    return score + Math.max(0, k) * 10;
  }

  // The modules of the code, rows of booleans (true: dark), without the quiet zone
  function matrix(text) {
    const made = codewords(Array.from(new TextEncoder().encode(String(text))));
    const ver = made.ver,
      size = ver * 4 + 17;
    const m = [],
      fixed = [];
    for (let y = 0; y < size; y++) {
      m.push(new Array(size).fill(false));
      fixed.push(new Array(size).fill(false));
    }
    const set = function (x, y, dark) {
      m[y][x] = dark;
      fixed[y][x] = true;
    };
    for (let i = 0; i < size; i++) {
      set(6, i, i % 2 === 0);
      set(i, 6, i % 2 === 0);
    }
    [
      [3, 3],
      [size - 4, 3],
      [3, size - 4]
    ].forEach(function (c) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const d = Math.max(Math.abs(dx), Math.abs(dy)),
            x = c[0] + dx,
            y = c[1] + dy;
          if (x >= 0 && x < size && y >= 0 && y < size) {
            set(x, y, d !== 2 && d !== 4);
          }
        }
      }
    });
    const align = alignmentPositions(ver, size),
      last = align.length - 1;
    align.forEach(function (ay, i) {
      align.forEach(function (ax, j) {
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) {
          return;
        }
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            set(ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
          }
        }
      });
    });
    const format = function (mask) {
      const data = FORMAT_M << 3 | mask;
      let rem = data;
      for (let i = 0; i < 10; i++) {
        rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
      }
      const bits = (data << 10 | rem) ^ 0x5412,
        bit = i => ((bits >>> i) & 1) === 1;
      for (let i = 0; i <= 5; i++) {
        set(8, i, bit(i));
      }
      set(8, 7, bit(6));
      set(8, 8, bit(7));
      set(7, 8, bit(8));
      for (let i = 9; i < 15; i++) {
        set(14 - i, 8, bit(i));
      }
      for (let i = 0; i < 8; i++) {
        set(size - 1 - i, 8, bit(i));
      }
      for (let i = 8; i < 15; i++) {
        set(8, size - 15 + i, bit(i));
      }
      set(8, size - 8, true);
    };
    format(0); // reserved now, written with the chosen mask at the end
    if (ver >= 7) {
      let rem = ver;
      for (let i = 0; i < 12; i++) {
        rem = (rem << 1) ^ ((rem >>> 11) * 0x1F25);
      }
      const bits = ver << 12 | rem;
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >>> i) & 1) === 1,
          a = size - 11 + i % 3,
          b = Math.floor(i / 3);
        set(a, b, dark);
        set(b, a, dark);
      }
    }
    let i = 0;
    const total = made.words.length * 8;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) {
        right = 5;
      }
      for (let vert = 0; vert < size; vert++) {
        for (let j = 0; j < 2; j++) {
          const x = right - j,
            upward = ((right + 1) & 2) === 0;
          const y = upward ? size - 1 - vert : vert;
          if (!fixed[y][x] && i < total) {
            m[y][x] = ((made.words[i >>> 3] >>> (7 - (i & 7))) & 1) === 1;
            i++;
          }
        }
      }
    }
    let best = null;
    MASKS.forEach(function (mask, n) {
      const trial = m.map((row, y) => row.map((dark, x) => fixed[y][x] ? dark : dark !== mask(x, y)));
      const saved = m.map(r => r.slice());
      for (let y = 0; y < size; y++) {
        m[y] = trial[y];
      }
      format(n);
      const score = penalty(m);
      if (!best || score < best.score) {
        best = {
          score: score,
          modules: m.map(r => r.slice())
        };
      }
      for (let y = 0; y < size; y++) {
        m[y] = saved[y];
      }
    });
    return best.modules;
  }

  function svg(text) {
    const m = matrix(text),
      size = m.length + 8;
    let path = '';
    m.forEach(function (row, y) {
      row.forEach(function (dark, x) {
        if (dark) {
          path += 'M' + (x + 4) + ' ' + (y + 4) + 'h1v1h-1z';
        }
      });
    });
    return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + size + ' ' + size +
      '" shape-rendering="crispEdges" role="img" aria-label="QR code of the link">' +
      '<rect width="' + size + '" height="' + size + '" fill="#fff"/><path d="' + path +
      '" fill="#000"/></svg>';
  }

  Theme.QR = {
    matrix: matrix,
    svg: svg
  };
})(typeof window !== 'undefined' ? window : globalThis);
