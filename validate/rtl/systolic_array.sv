// systolic_array: the top of the PE array RTL. A ROWS x COLS array of int8 x int8 -> int32
// PEs (V MACs per PE per cycle) with its controller. Synthesizable; the operand buffers and the
// accumulator that sums the k-folds live outside (in npusim: the Scratchpad and the
// AccumulatorBuffer), so the top exposes the controller's operand requests and the array's
// south edge.
//
// Configuration (held while busy): dataflow os (1) or ws / is (0: the array is the same, the
// operand buffers swap the roles of A and B), db (stationary double buffer), ov (fold overlap),
// folds and stream (T) of the tile. A one-cycle `start` runs the tile; `done` pulses when the
// last result has left the array.
//
// Operand interface: in every cycle in which west_req_valid (north_req_valid) is high, the
// buffers drive west_data (north_data) with the operands of (fold, step) in that same cycle,
// lane r (c) in bits [r*8*V +: 8*V], V int8 values along the reduction.
module systolic_array #(
    parameter int ROWS = 4,
    parameter int COLS = 4,
    parameter int V = 1
) (
    input  logic                 clk,
    input  logic                 rst_n,
    input  logic                 start,
    input  logic                 cfg_os,
    input  logic                 cfg_db,
    input  logic                 cfg_ov,
    input  logic [31:0]          cfg_folds,
    input  logic [31:0]          cfg_stream,
    output logic                 busy,
    output logic                 done,
    output logic                 west_req_valid,
    output logic [31:0]          west_req_fold,
    output logic [31:0]          west_req_step,
    input  logic [ROWS*8*V-1:0]  west_data,
    output logic                 north_req_valid,
    output logic [31:0]          north_req_fold,
    output logic [31:0]          north_req_step,
    input  logic [COLS*8*V-1:0]  north_data,
    output logic [COLS-1:0]      south_valid,
    output logic [COLS*32-1:0]   south_data
);
  logic west_first, west_last, north_last, north_skew;

  sa_controller #(.ROWS(ROWS), .COLS(COLS)) ctrl (
      .clk(clk), .rst_n(rst_n), .start(start), .os(cfg_os), .db(cfg_db), .ov(cfg_ov),
      .folds(cfg_folds), .stream(cfg_stream), .busy(busy), .done(done),
      .west_valid(west_req_valid), .west_first(west_first), .west_last(west_last),
      .west_fold(west_req_fold), .west_step(west_req_step),
      .north_valid(north_req_valid), .north_last(north_last), .north_skew(north_skew),
      .north_fold(north_req_fold), .north_step(north_req_step));

  sa_array #(.ROWS(ROWS), .COLS(COLS), .V(V)) array (
      .clk(clk), .rst_n(rst_n), .os(cfg_os), .db(cfg_db), .skew_north(north_skew),
      .west_valid(west_req_valid), .west_first(west_first), .west_last(west_last), .west_data(west_data),
      .north_valid(north_req_valid), .north_last(north_last), .north_data(north_data),
      .south_valid(south_valid), .south_data(south_data));
endmodule
