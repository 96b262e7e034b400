/**
 * The ONNX IR messages Pharos reads and rewrites at model load, as proto2 source parsed by protobufjs.
 * Kept in a .ts module (not a .proto file) so the compiled package carries it without a copy step.
 */
export const ONNX_SUBSET_PROTO = `
// The parts of the ONNX IR (https://onnx.ai/onnx/repo-docs/IR.html) Pharos reads and rewrites at model load.
// Written for Pharos from the published field numbers. Messages Pharos never inspects are declared as
// 'bytes': a length-delimited message and a bytes field are the same on the wire, so they round-trip
// verbatim (initializers keep their raw data untouched, and no decode cost is paid for them).
syntax = "proto2";

package pharos.onnx;

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
  repeated bytes training_info = 20;
  repeated bytes functions = 25;
  repeated bytes configuration = 26;
}

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated bytes initializer = 5;
  repeated bytes sparse_initializer = 15;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
  repeated bytes quantization_annotation = 14;
  repeated StringStringEntryProto metadata_props = 16;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  optional string overload = 8;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
  repeated StringStringEntryProto metadata_props = 9;
  repeated bytes device_configurations = 10;
}

message AttributeProto {
  optional string name = 1;
  optional string ref_attr_name = 21;
  optional string doc_string = 13;
  optional int32 type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional bytes t = 5;
  optional bytes g = 6;
  optional bytes sparse_tensor = 22;
  optional bytes tp = 14;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated bytes tensors = 10;
  repeated bytes graphs = 11;
  repeated bytes sparse_tensors = 23;
  repeated bytes type_protos = 15;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
  repeated StringStringEntryProto metadata_props = 4;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  message Sequence {
    optional TypeProto elem_type = 1;
  }
  message Map {
    optional int32 key_type = 1;
    optional TypeProto value_type = 2;
  }
  message Optional {
    optional TypeProto elem_type = 1;
  }
  message SparseTensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
    Sequence sequence_type = 4;
    Map map_type = 5;
    Optional optional_type = 9;
    SparseTensor sparse_tensor_type = 8;
  }
  optional string denotation = 6;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}
`;
