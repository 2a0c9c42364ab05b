// sa_array: ROWS x COLS processing elements with the skew registers on their west and north
// edges and the output registers on their south edge. Written as register arrays updated by
// loops (one always_comb computing every PE's next state, one always_ff taking it), which is
// the same hardware as a grid of PE instances and keeps the verilated model small.
//
// Every PE (r, c) holds the registers of all three dataflows; the mode inputs pick which are
// used. Operands are int8, products int16, sums int32 (two's complement, wrapping); a PE completes
// V MACs per cycle, a, b and w being V int8 lanes along the reduction.
//
//  ws / is  the stationary block sits in w_act. It arrives through w_ld, a load chain running
//           down each column, which shifts whenever the column's (north) load lane is valid.
//           Without the stationary double buffer (db = 0) the chain *is* w_act, so loading
//           overwrites the weights in use and happens while the array is empty. With it (db = 1)
//           the chain fills behind the array's back; on the column's last load step the values
//           arriving are latched into the shadow w_sh, and the first operand of the next fold
//           (a_first) switches w_sh into w_act as it passes, one PE after the other.
//           The streamed operand a moves east; the partial sum moves south and leaves the bottom
//           row as the column's result.
//  os       a moves east and b moves south; each PE accumulates a.b in acc. The first step of a
//           fold (a_first) restarts the sum; on the last step (a_last) the finished sum is driven
//           onto the column's output bus in that very cycle (within a fold the rows of a column
//           finish one cycle apart, so one bus per column suffices) and registered at the bottom.
//
// Edges:
//  west   lane r (the operand for row r) is delayed r cycles, so that the operands of one step
//         meet their partners along a diagonal wavefront.
//  north  lane c is delayed c cycles when `skew_north` is set (os: the b operand; ws / is with
//         the double buffer: the background load of the next block); without it (ws / is loads
//         into an empty array) all columns load together.
module sa_array #(
    parameter int ROWS = 4,
    parameter int COLS = 4,
    parameter int V = 1
) (
    input  logic                 clk,
    input  logic                 rst_n,
    input  logic                 os,
    input  logic                 db,
    input  logic                 skew_north,
    // west edge: one lane per row, unskewed
    input  logic                 west_valid,
    input  logic                 west_first,
    input  logic                 west_last,
    input  logic [ROWS*8*V-1:0]  west_data,
    // north edge: one lane per column, unskewed
    input  logic                 north_valid,
    input  logic                 north_last,
    input  logic [COLS*8*V-1:0]  north_data,
    // south edge, registered
    output logic [COLS-1:0]      south_valid,
    output logic [COLS*32-1:0]   south_data
);
  localparam int W = 8 * V;

  // V products of int8 lanes, summed into int32
  // (sums are kept as 32-bit vectors: two's complement addition is the same for either sign)
  function automatic logic [31:0] dot(input logic [W-1:0] x, input logic [W-1:0] y);
    logic [31:0] s;
    s = '0;
    for (int u = 0; u < V; u++) s = s + 32'(signed'(x[8*u+:8]) * signed'(y[8*u+:8]));
    return s;
  endfunction

  // ---- state (packed arrays: each is one register vector, indexed [row][col]) ----
  // skew registers: row r uses wsk_*[r][0 .. r-1], column c nsk_*[c][0 .. c-1]
  logic [ROWS-1:0][ROWS-1:0]        wsk_v, wsk_f, wsk_l;
  logic [ROWS-1:0][ROWS-1:0][W-1:0] wsk_d;
  logic [COLS-1:0][COLS-1:0]        nsk_v, nsk_l;
  logic [COLS-1:0][COLS-1:0][W-1:0] nsk_d;
  // the PEs
  logic [ROWS-1:0][COLS-1:0]         a_v, a_f, a_l;  // a and its flags, moving east
  logic [ROWS-1:0][COLS-1:0][W-1:0]  a_q;
  logic [ROWS-1:0][COLS-1:0][W-1:0]  b_q;            // os: b, moving south
  logic [ROWS-1:0][COLS-1:0][31:0]   ps_q;           // ws / is: partial sums, moving south
  logic [ROWS-1:0][COLS-1:0]         ps_v;
  logic [ROWS-1:0][COLS-1:0][W-1:0]  w_act, w_sh, w_ld;
  logic [ROWS-1:0][COLS-1:0][31:0]   acc;
  // south edge (os): the column buses' registers
  logic [COLS-1:0]                   out_v;
  logic [COLS-1:0][31:0]             out_d;

  // ---- next state ----
  logic [ROWS-1:0][ROWS-1:0]         wsk_v_n, wsk_f_n, wsk_l_n;
  logic [ROWS-1:0][ROWS-1:0][W-1:0]  wsk_d_n;
  logic [COLS-1:0][COLS-1:0]         nsk_v_n, nsk_l_n;
  logic [COLS-1:0][COLS-1:0][W-1:0]  nsk_d_n;
  logic [ROWS-1:0][COLS-1:0]         a_v_n, a_f_n, a_l_n, ps_v_n;
  logic [ROWS-1:0][COLS-1:0][W-1:0]  a_q_n, b_q_n, w_act_n, w_sh_n, w_ld_n;
  logic [ROWS-1:0][COLS-1:0][31:0]   ps_q_n, acc_n;
  logic [COLS-1:0]                   out_v_n;
  logic [COLS-1:0][31:0]             out_d_n;

  always_comb begin
    // skew registers shift
    for (int r = 0; r < ROWS; r++) begin
      for (int i = 0; i < ROWS; i++) begin
        wsk_v_n[r][i] = i == 0 ? west_valid : wsk_v[r][i-1];
        wsk_f_n[r][i] = i == 0 ? west_first : wsk_f[r][i-1];
        wsk_l_n[r][i] = i == 0 ? west_last : wsk_l[r][i-1];
        wsk_d_n[r][i] = i == 0 ? west_data[r*W+:W] : wsk_d[r][i-1];
      end
    end
    for (int c = 0; c < COLS; c++) begin
      for (int i = 0; i < COLS; i++) begin
        nsk_v_n[c][i] = i == 0 ? north_valid : nsk_v[c][i-1];
        nsk_l_n[c][i] = i == 0 ? north_last : nsk_l[c][i-1];
        nsk_d_n[c][i] = i == 0 ? north_data[c*W+:W] : nsk_d[c][i-1];
      end
    end

    for (int c = 0; c < COLS; c++) begin
      // the column's north lane, skewed or not
      logic         n_v, n_l;
      logic [W-1:0] n_d;
      logic         bus_v;
      logic [31:0]  bus_d;
      if (c == 0 || !skew_north) begin
        n_v = north_valid;
        n_l = north_last;
        n_d = north_data[c*W+:W];
      end else begin
        n_v = nsk_v[c][c-1];
        n_l = nsk_l[c][c-1];
        n_d = nsk_d[c][c-1];
      end
      bus_v = 1'b0;
      bus_d = '0;
      for (int r = 0; r < ROWS; r++) begin
        // inputs of PE (r, c)
        logic               ai_v, ai_f, ai_l, w_en, use_sh, last_mac;
        logic [W-1:0]       ai, bi, wi, w_use;
        logic [31:0]        psi, d, sum;
        if (c > 0) begin
          ai_v = a_v[r][c-1];
          ai_f = a_f[r][c-1];
          ai_l = a_l[r][c-1];
          ai = a_q[r][c-1];
        end else if (r > 0) begin
          ai_v = wsk_v[r][r-1];
          ai_f = wsk_f[r][r-1];
          ai_l = wsk_l[r][r-1];
          ai = wsk_d[r][r-1];
        end else begin
          ai_v = west_valid;
          ai_f = west_first;
          ai_l = west_last;
          ai = west_data[0+:W];
        end
        bi = r > 0 ? b_q[r-1][c] : n_d;
        psi = r > 0 ? ps_q[r-1][c] : '0;
        wi = r > 0 ? (db ? w_ld[r-1][c] : w_act[r-1][c]) : n_d;
        w_en = n_v && !os;  // the column's load chain shifts
        use_sh = db && ai_v && ai_f;
        w_use = use_sh ? w_sh[r][c] : w_act[r][c];
        d = dot(ai, os ? bi : w_use);
        sum = (ai_f ? '0 : acc[r][c]) + d;
        last_mac = os && ai_v && ai_l;

        a_v_n[r][c] = ai_v;
        a_f_n[r][c] = ai_f;
        a_l_n[r][c] = ai_l;
        a_q_n[r][c] = ai;
        b_q_n[r][c] = bi;
        ps_q_n[r][c] = psi + d;
        ps_v_n[r][c] = ai_v && !os;
        acc_n[r][c] = (os && ai_v) ? sum : acc[r][c];
        w_act_n[r][c] = w_act[r][c];
        w_sh_n[r][c] = w_sh[r][c];
        w_ld_n[r][c] = w_ld[r][c];
        if (!db) begin
          if (w_en) w_act_n[r][c] = wi;  // the chain is the stationary register itself
        end else begin
          if (w_en) w_ld_n[r][c] = wi;
          if (w_en && n_l) w_sh_n[r][c] = wi;
          if (use_sh) w_act_n[r][c] = w_sh[r][c];
        end
        // the column's output bus: at most one PE finishes a sum per cycle
        bus_v = bus_v | last_mac;
        bus_d = bus_d | (last_mac ? sum : '0);
      end
      out_v_n[c] = bus_v;
      out_d_n[c] = bus_d;
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      wsk_v <= '0;
      nsk_v <= '0;
      a_v <= '0;
      ps_v <= '0;
      out_v <= '0;
    end else begin
      wsk_v <= wsk_v_n;
      nsk_v <= nsk_v_n;
      a_v <= a_v_n;
      ps_v <= ps_v_n;
      out_v <= out_v_n;
    end
    wsk_f <= wsk_f_n;
    wsk_l <= wsk_l_n;
    wsk_d <= wsk_d_n;
    nsk_l <= nsk_l_n;
    nsk_d <= nsk_d_n;
    a_f <= a_f_n;
    a_l <= a_l_n;
    a_q <= a_q_n;
    b_q <= b_q_n;
    ps_q <= ps_q_n;
    acc <= acc_n;
    w_act <= w_act_n;
    w_sh <= w_sh_n;
    w_ld <= w_ld_n;
    out_d <= out_d_n;
  end

  always_comb begin
    for (int c = 0; c < COLS; c++) begin
      south_valid[c] = os ? out_v[c] : ps_v[ROWS-1][c];
      south_data[c*32+:32] = os ? out_d[c] : ps_q[ROWS-1][c];
    end
  end
endmodule
