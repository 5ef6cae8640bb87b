// Minimal .npy (format 1.0/2.0, C order, little endian) reader for the fixture files.
#ifndef CLIP4J_TEST_NPY_H
#define CLIP4J_TEST_NPY_H

#include <stdint.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace npy {

struct Array {
    std::string descr;           // e.g. "<f4", "|u1"
    std::vector<int64_t> shape;
    std::vector<char> data;      // raw little-endian elements

    int64_t size() const {
        int64_t s = 1;
        for (int64_t d : shape) s *= d;
        return s;
    }
    template <class T>
    const T* as() const { return reinterpret_cast<const T*>(data.data()); }
};

inline std::string header_value(const std::string& header, const std::string& key) {
    const size_t at = header.find("'" + key + "'");
    if (at == std::string::npos) throw std::runtime_error("npy header lacks " + key);
    return header.substr(header.find(':', at) + 1);
}

inline Array load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    char magic[8];
    in.read(magic, 8);
    if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error("not a .npy file: " + path);
    uint32_t header_len = 0;
    if (magic[6] == 1) {
        unsigned char b[2];
        in.read(reinterpret_cast<char*>(b), 2);
        header_len = b[0] | (b[1] << 8);
    } else {
        unsigned char b[4];
        in.read(reinterpret_cast<char*>(b), 4);
        header_len = b[0] | (b[1] << 8) | (b[2] << 16) | ((uint32_t)b[3] << 24);
    }
    std::string header(header_len, '\0');
    in.read(&header[0], header_len);
    Array a;
    std::string descr = header_value(header, "descr");
    const size_t q1 = descr.find('\'');
    a.descr = descr.substr(q1 + 1, descr.find('\'', q1 + 1) - q1 - 1);
    if (header_value(header, "fortran_order").find("False") != 1) throw std::runtime_error("Fortran order: " + path);
    std::string shape = header_value(header, "shape");
    shape = shape.substr(shape.find('(') + 1, shape.find(')') - shape.find('(') - 1);
    size_t pos = 0;
    while (pos < shape.size()) {
        const size_t comma = shape.find(',', pos);
        const std::string item = shape.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (item.find_first_of("0123456789") != std::string::npos) a.shape.push_back(std::stoll(item));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    const int64_t elem = std::stoi(a.descr.substr(2));
    a.data.resize((size_t)(a.size() * elem));
    in.read(a.data.data(), (std::streamsize)a.data.size());
    if (!in) throw std::runtime_error("truncated .npy file: " + path);
    return a;
}

}  // namespace npy

#endif
