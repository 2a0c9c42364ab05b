// sa_controller: sequences the folds of one compute tile on the array.
//
// A tile is `folds` placements of the stationary operand, each streaming `stream` steps
// (T). The controller requests operands by (fold, step) on two edges; the operand buffers
// answer in the same cycle. Phases, with W = ROWS + COLS - 2 (a wavefront crossing the array):
//
//   LOAD    ws / is: ROWS cycles shifting a stationary block in through the north edge.
//   STREAM  T cycles: one step of the streamed operand(s) per cycle.
//   GAP     idle cycles before the next fold may start streaming:
//             ws / is without double buffer: W (the array empties) then LOAD of the next block;
//             otherwise, without fold overlap: W (the array empties);
//             with fold overlap: max(0, ROWS - T) (ws / is: the next block needs ROWS cycles to
//             load behind the current one; os: two folds must not finish a row of a column in
//             the same cycle, as they share the column's output bus).
//   DRAIN   W cycles after the last step: the last wavefront reaches the bottom-right PE.
//
// With the double buffer (ws / is) the next fold's block is loaded in the background through
// the north edge, starting in the cycle the current fold starts streaming.
module sa_controller #(
    parameter int ROWS = 4,
    parameter int COLS = 4
) (
    input  logic        clk,
    input  logic        rst_n,
    input  logic        start,
    input  logic        os,
    input  logic        db,
    input  logic        ov,
    input  logic [31:0] folds,   // >= 1
    input  logic [31:0] stream,  // T >= 1
    output logic        busy,
    output logic        done,    // one cycle, after the last result has left the array
    // streamed operand request (west edge; for os also the north edge)
    output logic        west_valid,
    output logic        west_first,
    output logic        west_last,
    output logic [31:0] west_fold,
    output logic [31:0] west_step,
    // north edge request: os the b operand (same fold / step as west), ws / is a load step
    output logic        north_valid,
    output logic        north_last,
    output logic        north_skew,
    output logic [31:0] north_fold,
    output logic [31:0] north_step
);
  localparam logic [31:0] R = 32'(ROWS);
  localparam logic [31:0] W = 32'(ROWS + COLS - 2);

  typedef enum logic [2:0] {
    IDLE,
    LOAD,
    STREAM,
    GAP,
    DRAIN
  } phase_t;

  phase_t phase;
  logic [31:0] fold, step, cnt;
  logic        load_after_gap;  // GAP ends in a LOAD (ws / is without double buffer)
  // background load of the next block (ws / is with double buffer)
  logic        bg_active;
  logic [31:0] bg_fold, bg_step;

  logic last_step, last_fold, bg_start;
  assign last_step = (step == stream - 1);
  assign last_fold = (fold == folds - 1);
  assign bg_start = !os && db && phase == STREAM && step == 0 && !last_fold;

  logic [31:0] gap_ov;
  assign gap_ov = (stream < R) ? R - stream : 32'd0;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      phase <= IDLE;
      fold <= '0;
      step <= '0;
      cnt <= '0;
      load_after_gap <= 1'b0;
      bg_active <= 1'b0;
      bg_fold <= '0;
      bg_step <= '0;
      done <= 1'b0;
    end else begin
      done <= 1'b0;
      // background loader
      if (bg_start && R > 1) begin
        bg_active <= 1'b1;
        bg_fold <= fold + 1;
        bg_step <= 32'd1;
      end else if (bg_active) begin
        if (bg_step == R - 1) bg_active <= 1'b0;
        bg_step <= bg_step + 1;
      end
      unique case (phase)
        IDLE: begin
          if (start) begin
            fold <= '0;
            step <= '0;
            cnt <= '0;
            phase <= os ? STREAM : LOAD;
          end
        end
        LOAD: begin
          if (cnt == R - 1) begin
            cnt <= '0;
            step <= '0;
            phase <= STREAM;
          end else begin
            cnt <= cnt + 1;
          end
        end
        STREAM: begin
          if (!last_step) begin
            step <= step + 1;
          end else begin
            step <= '0;
            if (last_fold) begin
              if (W == 0) begin
                phase <= IDLE;
                done <= 1'b1;
              end else begin
                phase <= DRAIN;
                cnt <= W;
              end
            end else begin
              fold <= fold + 1;
              if (!os && !db) begin  // the array must empty before the next block loads
                load_after_gap <= 1'b1;
                if (W == 0) begin
                  phase <= LOAD;
                  cnt <= '0;
                end else begin
                  phase <= GAP;
                  cnt <= W;
                end
              end else begin
                load_after_gap <= 1'b0;
                if (!ov && W != 0) begin
                  phase <= GAP;
                  cnt <= W;
                end else if (ov && gap_ov != 0) begin
                  phase <= GAP;
                  cnt <= gap_ov;
                end
                // else: the next fold streams right behind this one
              end
            end
          end
        end
        GAP: begin
          if (cnt == 1) begin
            if (load_after_gap) begin
              phase <= LOAD;
              cnt <= '0;
            end else begin
              phase <= STREAM;
            end
          end else begin
            cnt <= cnt - 1;
          end
        end
        DRAIN: begin
          if (cnt == 1) begin
            phase <= IDLE;
            done <= 1'b1;
          end else begin
            cnt <= cnt - 1;
          end
        end
        default: phase <= IDLE;
      endcase
    end
  end

  assign busy = (phase != IDLE);

  always_comb begin
    west_valid = (phase == STREAM);
    west_first = west_valid && step == 0;
    west_last = west_valid && last_step;
    west_fold = fold;
    west_step = step;
    north_skew = os || db;
    north_valid = 1'b0;
    north_last = 1'b0;
    north_fold = '0;
    north_step = '0;
    if (os) begin
      north_valid = west_valid;
      north_fold = fold;
      north_step = step;
    end else if (phase == LOAD) begin
      north_valid = 1'b1;
      north_last = (cnt == R - 1);
      north_fold = fold;
      north_step = cnt;
    end else if (bg_start) begin
      north_valid = 1'b1;
      north_last = (R == 1);
      north_fold = fold + 1;
      north_step = '0;
    end else if (bg_active) begin
      north_valid = 1'b1;
      north_last = (bg_step == R - 1);
      north_fold = bg_fold;
      north_step = bg_step;
    end
  end
endmodule
